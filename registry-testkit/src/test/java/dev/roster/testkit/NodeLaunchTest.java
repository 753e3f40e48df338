package dev.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeLaunchTest {
  private static NodeLaunch.Builder minimal() {
    return NodeLaunch.builder()
        .jar(Path.of("target", "roster-node.jar"))
        .http("127.0.0.1:7171")
        .raft("127.0.0.1:7271")
        .peers(List.of("127.0.0.1:7271", "127.0.0.1:7272", "127.0.0.1:7273"))
        .data(Path.of("/tmp/d/node0"))
        .log(Path.of("/tmp/d/node0.log"));
  }

  @Test
  void everyPartInItsPlace() {
    NodeLaunch l =
        minimal()
            .prefix(List.of("ip", "netns", "exec", "ns1"))
            .java(Path.of("/opt/jdk/bin/java"))
            .jvmOptions(List.of("-Xmx192m", "-XX:+UseSerialGC"))
            .nodeArgs(List.of("--election-timeout", "1000ms"))
            .build();

    assertThat(l.command())
        .containsExactly(
            "ip",
            "netns",
            "exec",
            "ns1",
            "/opt/jdk/bin/java",
            "-Xmx192m",
            "-XX:+UseSerialGC",
            "-jar",
            "target/roster-node.jar",
            "--http",
            "127.0.0.1:7171",
            "--raft",
            "127.0.0.1:7271",
            "--peers",
            "127.0.0.1:7271,127.0.0.1:7272,127.0.0.1:7273",
            "--data",
            "/tmp/d/node0",
            "--election-timeout",
            "1000ms");
  }

  @Test
  void byDefaultTheJavaOfThisJvmWithNoPrefixOptionsOrFlags() {
    List<String> cmd = minimal().build().command();

    assertThat(cmd.get(0))
        .isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString())
        .isEqualTo(NodeLaunch.currentJava().toString());
    assertThat(cmd.subList(1, 3)).containsExactly("-jar", "target/roster-node.jar");
    assertThat(cmd).hasSize(11).last().isEqualTo("/tmp/d/node0");
  }

  @Test
  void runAsPutsSetprivBeforeJavaAfterAnEarlierPrefix() {
    List<String> cmd = minimal().prefix(List.of("nice")).runAs(60011).build().command();

    assertThat(cmd.subList(0, 9))
        .containsExactly(
            "nice",
            "setpriv",
            "--reuid",
            "60011",
            "--regid",
            "60011",
            "--clear-groups",
            "--",
            NodeLaunch.currentJava().toString());
  }

  @Test
  void optionsAndFlagsAccumulatePeersAreReplaced() {
    List<String> cmd =
        minimal()
            .jvmOptions(List.of("-Xmx64m"))
            .jvmOptions(List.of("-Dx=1"))
            .nodeArgs(List.of("--expire", "1h"))
            .nodeArgs(List.of("--poll-hold", "5s"))
            .peers(List.of("127.0.0.1:7271"))
            .build()
            .command();

    assertThat(cmd.subList(1, 3)).containsExactly("-Xmx64m", "-Dx=1");
    assertThat(cmd.get(cmd.indexOf("--peers") + 1)).isEqualTo("127.0.0.1:7271");
    assertThat(cmd.subList(cmd.size() - 4, cmd.size()))
        .containsExactly("--expire", "1h", "--poll-hold", "5s");
  }

  @Test
  void aBuiltSpecDoesNotChangeWithItsBuilderOrItsCaller() {
    List<String> flags = new ArrayList<>(List.of("--expire", "1h"));
    NodeLaunch.Builder b = minimal().nodeArgs(flags);
    NodeLaunch l = b.build();
    List<String> before = l.command();

    flags.add("--later");
    b.nodeArgs(List.of("--more")).http("127.0.0.1:1").jvmOptions(List.of("-Xmx1g"));

    assertThat(l.command()).isEqualTo(before).doesNotContain("--later", "--more", "-Xmx1g");
    assertThatThrownBy(() -> l.command().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theNodeAddressesDataAndLogAreRequired() {
    assertThatThrownBy(() -> minimal().jar(null).build()).hasMessage("jar is required");
    assertThatThrownBy(() -> minimal().http(null).build()).hasMessage("http is required");
    assertThatThrownBy(() -> minimal().raft(null).build()).hasMessage("raft is required");
    assertThatThrownBy(() -> minimal().peers(List.of()).build()).hasMessage("peers is required");
    assertThatThrownBy(() -> minimal().data(null).build()).hasMessage("data is required");
    assertThatThrownBy(() -> minimal().log(null).build()).hasMessage("log is required");
  }
}
