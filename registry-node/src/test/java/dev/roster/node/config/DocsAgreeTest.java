package dev.roster.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/configuration.md and the version the node reports say what the code does. */
class DocsAgreeTest {
  private static final Path ROOT =
      Path.of(System.getProperty("basedir", ".")).resolve("..").normalize();

  private static List<String> settingRows() throws IOException {
    return Files.readAllLines(ROOT.resolve("docs/configuration.md")).stream()
        .filter(l -> l.startsWith("| `--"))
        .toList();
  }

  @Test
  void everySettingHasARowWithItsDefault() throws IOException {
    List<String> rows = settingRows();
    for (Map.Entry<String, String> setting : NodeConfig.DEFAULTS.entrySet()) {
      String key = setting.getKey();
      String head = "| `--" + key + "` / `" + key + "` | ";
      List<String> row = rows.stream().filter(l -> l.startsWith(head)).toList();
      assertThat(row).as("docs/configuration.md row for %s", key).hasSize(1);
      if (!setting.getValue().isEmpty()) { // empty defaults derive from others, said in words
        String documented = row.get(0).substring(head.length()).split(" \\| ", 2)[0];
        assertThat(documented)
            .as("documented default of %s", key)
            .isEqualTo("`" + setting.getValue() + "`");
      }
    }
  }

  @Test
  void everyDocumentedSettingExists() throws IOException {
    Pattern flag = Pattern.compile("^\\| `--([a-z-]+)` / `([a-z-]+)` \\|");
    for (String row : settingRows()) {
      Matcher m = flag.matcher(row);
      assertThat(m.find()).as("row %s", row).isTrue();
      assertThat(m.group(1)).isEqualTo(m.group(2));
      assertThat(NodeConfig.DEFAULTS).as("documented setting").containsKey(m.group(1));
    }
  }

  @Test
  void docsLinkOnlyToFilesInTheRepository() throws IOException {
    Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
    List<Path> pages;
    try (var files = Files.list(ROOT.resolve("docs"))) {
      pages = files.filter(f -> f.toString().endsWith(".md")).toList();
    }
    pages = Stream.concat(pages.stream(), Stream.of(ROOT.resolve("README.md"))).toList();
    for (Path page : pages) {
      String text = Files.readString(page);
      assertThat(text).as("%s cites a file outside the repository", page).doesNotContain("shared/");
      Matcher m = link.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (!target.matches("^[a-z]+:.*")) {
          assertThat(page.getParent().resolve(target)).as("link %s in %s", target, page).exists();
        }
      }
    }
  }

  @Test
  void versionIsTheBuildsVersion() throws IOException {
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    Matcher m =
        Pattern.compile("<artifactId>roster-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertThat(m.find()).as("the parent POM's version").isTrue();
    assertThat(RosterVersion.get()).isEqualTo(m.group(1));
    String[] printed = new CommandLine(new CommandLineArgs()).getCommandSpec().version();
    assertThat(printed).containsExactly("roster-node " + m.group(1));
  }
}
