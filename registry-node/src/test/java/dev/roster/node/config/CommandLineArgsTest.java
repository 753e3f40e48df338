package dev.roster.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineArgsTest {
  @TempDir Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void noArgumentsGiveNoSettings() {
    assertThat(CommandLineArgs.parse()).isEmpty();
    assertThat(NodeConfig.fromSettings(CommandLineArgs.parse()))
        .isEqualTo(NodeConfig.fromSettings(Map.of()));
  }

  @Test
  void everyFlagBecomesTheSettingOfTheSameName() {
    Map<String, String> s =
        CommandLineArgs.parse(
            "--http",
            "127.0.0.1:8001",
            "--advertise",
            "https://a:8001",
            "--cluster-url",
            "https://node-a:8001",
            "--raft",
            "127.0.0.1:9001",
            "--peers",
            "127.0.0.1:9001,127.0.0.1:9002",
            "--data",
            "d",
            "--zone",
            "z",
            "--renew-interval",
            "10s",
            "--evict-interval",
            "20s",
            "--expire",
            "30s",
            "--protect-threshold",
            "0.5",
            "--evict-ceiling",
            "1m",
            "--poll-hold",
            "5s",
            "--election-timeout",
            "2s",
            "--snapshot-interval",
            "1m",
            "--snapshot-ops",
            "5000",
            "--shutdown-grace",
            "3s",
            "--eureka-env",
            "dev",
            "--eviction-log-size",
            "50",
            "--admin-token-file",
            "/etc/roster/admin.tokens",
            "--write-token-file",
            "/etc/roster/write.tokens",
            "--read-token-file",
            "/etc/roster/read.tokens",
            "--tls-cert",
            "/etc/roster/node.pem",
            "--tls-key",
            "/etc/roster/node.key",
            "--tls-ca",
            "/etc/roster/ca.pem",
            "--tls-client-ca",
            "/etc/roster/clients.pem",
            "--join");

    assertThat(s).containsOnlyKeys(NodeConfig.DEFAULTS.keySet());
    NodeConfig c = NodeConfig.fromSettings(s);
    assertThat(c.peers()).hasSize(2);
    assertThat(c.expire()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.snapshotOps()).isEqualTo(5000);
    assertThat(c.join()).isTrue();
    assertThat(c.clusterUrl()).isEqualTo("https://node-a:8001");
    assertThat(c.eurekaEnv()).isEqualTo("dev");
    assertThat(c.evictionLogSize()).isEqualTo(50);
    assertThat(c.adminTokenFile()).hasToString("/etc/roster/admin.tokens");
    assertThat(c.writeTokenFile()).hasToString("/etc/roster/write.tokens");
    assertThat(c.readTokenFile()).hasToString("/etc/roster/read.tokens");
    assertThat(c.tls()).isTrue();
    assertThat(c.tlsCert()).hasToString("/etc/roster/node.pem");
    assertThat(c.tlsKey()).hasToString("/etc/roster/node.key");
    assertThat(c.tlsCa()).hasToString("/etc/roster/ca.pem");
    assertThat(c.tlsClientCa()).hasToString("/etc/roster/clients.pem");
  }

  @Test
  void environmentVariablesOverrideTheFileAndFlagsOverrideThem() throws IOException {
    Path yml = file("env.yml", "expire: 45s\nzone: file-zone\npoll-hold: 7s\n");
    Map<String, String> env =
        Map.of(
            "ROSTER_EXPIRE",
            "50s",
            "ROSTER_ZONE",
            "env-zone",
            "ROSTER_RENEW_INTERVAL",
            "20s",
            "UNRELATED",
            "x");
    NodeConfig c =
        NodeConfig.fromSettings(
            CommandLineArgs.parse(env, "-c", yml.toString(), "--zone", "flag-zone"));
    assertThat(c.expire()).isEqualTo(Duration.ofSeconds(50));
    assertThat(c.renewInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.pollHold()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.zone()).isEqualTo("flag-zone");
  }

  @Test
  void clusterUrlDefaultsToTheAdvertisedUrl() {
    NodeConfig c =
        NodeConfig.fromSettings(
            CommandLineArgs.parse(Map.of(), "--advertise", "http://public:7171/"));
    assertThat(c.advertise()).isEqualTo("http://public:7171");
    assertThat(c.clusterUrl()).isEqualTo("http://public:7171");
  }

  @Test
  void flagsOverrideAYamlFile() throws IOException {
    Path yml =
        file(
            "node.yml",
            """
        http: 127.0.0.1:8001
        raft: 127.0.0.1:9001
        peers:
          - 127.0.0.1:9001
          - 127.0.0.1:9002
          - 127.0.0.1:9003
        data: /tmp/from-file
        renew-interval: 10s
        expire: 45s
        protect-threshold: 0.7
        """);

    NodeConfig c =
        NodeConfig.fromSettings(
            CommandLineArgs.parse(
                "-c", yml.toString(), "--http", "127.0.0.1:8100", "--expire", "60s"));

    assertThat(c.http()).isEqualTo(new HostPort("127.0.0.1", 8100));
    assertThat(c.expire()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.raft()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(c.peers())
        .containsExactly(
            new HostPort("127.0.0.1", 9001),
            new HostPort("127.0.0.1", 9002),
            new HostPort("127.0.0.1", 9003));
    assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/from-file"));
    assertThat(c.renewInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.protectThreshold()).isEqualTo(0.7);
  }

  @Test
  void yamlPeersMayAlsoBeOneCommaSeparatedString() throws IOException {
    Path yml = file("node.yaml", "raft: 127.0.0.1:9002\npeers: 127.0.0.1:9001,127.0.0.1:9002\n");

    NodeConfig c = NodeConfig.fromSettings(CommandLineArgs.parse("-c", yml.toString()));

    assertThat(c.peers())
        .containsExactly(new HostPort("127.0.0.1", 9001), new HostPort("127.0.0.1", 9002));
  }

  @Test
  void flagsOverrideAPropertiesFile() throws IOException {
    Path props =
        file(
            "node.properties",
            """
        # comment
        http=127.0.0.1:8002
        raft=127.0.0.1:9002
        peers=127.0.0.1:9001,127.0.0.1:9002
        zone=from-file
        poll-hold=10s
        """);

    NodeConfig c =
        NodeConfig.fromSettings(
            CommandLineArgs.parse(
                "--zone", "from-flag", "-c", props.toString(), "--poll-hold", "2s"));

    assertThat(c.zone()).isEqualTo("from-flag");
    assertThat(c.pollHold()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.http()).isEqualTo(new HostPort("127.0.0.1", 8002));
    assertThat(c.peers())
        .containsExactly(new HostPort("127.0.0.1", 9001), new HostPort("127.0.0.1", 9002));
  }

  @Test
  void unknownKeyInAFileIsRejectedNamingIt() throws IOException {
    Path yml = file("node.yml", "http: 127.0.0.1:8001\nrenew_interval: 10s\n");

    Map<String, String> settings = CommandLineArgs.parse("-c", yml.toString());

    assertThatThrownBy(() -> NodeConfig.fromSettings(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("renew_interval");
  }

  @Test
  void badValueInAFileIsRejectedNamingTheSetting() throws IOException {
    Path yml = file("node.yml", "expire: forever\n");

    Map<String, String> settings = CommandLineArgs.parse("-c", yml.toString());

    assertThatThrownBy(() -> NodeConfig.fromSettings(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("expire");
  }

  @Test
  void nestedYamlValueIsRejectedNamingTheKey() throws IOException {
    Path yml = file("node.yml", "zone:\n  name: z1\n");

    assertThatThrownBy(() -> CommandLineArgs.parse("-c", yml.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("zone");
  }

  @Test
  void missingConfigFileIsReported() {
    Path missing = dir.resolve("nope.yml");

    assertThatThrownBy(() -> CommandLineArgs.parse("-c", missing.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.yml");
  }

  @Test
  void configFileOfAnotherKindIsReported() throws IOException {
    Path json = file("node.json", "{}");

    assertThatThrownBy(() -> CommandLineArgs.parse("-c", json.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(".yml");
  }

  @Test
  void malformedYamlIsReported() throws IOException {
    Path yml = file("node.yml", "http: [unclosed\n");

    assertThatThrownBy(() -> CommandLineArgs.parse("-c", yml.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("node.yml");
  }

  @Test
  void unknownFlagIsAConfigError() {
    assertThatThrownBy(() -> CommandLineArgs.parse("--bogus", "1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--bogus");
  }

  @Test
  void flagWithoutItsValueIsAConfigError() {
    assertThatThrownBy(() -> CommandLineArgs.parse("--http"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--http");
  }
}
