package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/api.md documents exactly the routes a node serves. */
class RoutesDocumentedTest {
  private static final Path API_MD =
      Path.of(System.getProperty("basedir", ".")).resolve("../docs/api.md").normalize();

  /** The routes a node registers; handlers are only referenced, so no node needs to run. */
  private static List<String> served() {
    return Api.router(
            null,
            null,
            null,
            "http://127.0.0.1:7171",
            1000,
            30_000,
            new Metrics(),
            Api.json(),
            new Api.EurekaSettings("prod", "default", 30_000, 90_000),
            new Api.LeaseSettings(30_000, 60_000, 90_000, 3_600_000),
            dev.roster.node.cluster.PeerLink.plain())
        .routes();
  }

  /** "METHOD path" of every endpoint heading ("### GET /x") and table row ("| GET `/x` |"). */
  private static List<String> documented() throws IOException {
    Pattern heading = Pattern.compile("^### (GET|POST|PUT|DELETE) (/\\S+)$");
    Pattern row = Pattern.compile("^\\| (GET|POST|PUT|DELETE) `(/[^`]*)` \\|");
    List<String> found = new ArrayList<>();
    for (String line : Files.readAllLines(API_MD)) {
      for (Pattern p : List.of(heading, row)) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          found.add(m.group(1) + " " + m.group(2));
        }
      }
    }
    return found;
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteIsServed() throws IOException {
    List<String> served = served();
    assertThat(served).hasSizeGreaterThan(15);
    assertThat(documented()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(served);
  }
}
