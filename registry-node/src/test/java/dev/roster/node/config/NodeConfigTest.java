package dev.roster.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeConfigTest {

  @Test
  void noSettingsGiveASingleNodeRegistryOnTheDefaultAddresses() {
    NodeConfig c = NodeConfig.fromSettings(Map.of());

    assertThat(c.http()).isEqualTo(new HostPort("127.0.0.1", 7171));
    assertThat(c.advertise()).isEqualTo("http://127.0.0.1:7171");
    assertThat(c.raft()).isEqualTo(new HostPort("127.0.0.1", 7271));
    assertThat(c.peers()).containsExactly(c.raft());
    assertThat(c.dataDir()).isEqualTo(Path.of("./roster-data"));
    assertThat(c.zone()).isEqualTo("default");
    assertThat(c.renewInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.evictInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.expire()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.protectThreshold()).isEqualTo(0.85);
    assertThat(c.evictCeiling()).isEqualTo(Duration.ofHours(1));
    assertThat(c.pollHold()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.electionTimeout()).isEqualTo(Duration.ofMillis(1000));
    assertThat(c.snapshotInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(c.snapshotOps()).isEqualTo(100_000);
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(NodeConfig.fromSettings(Map.of())).isEqualTo(c);
  }

  @Test
  void everySettingCanBeGiven() {
    Map<String, String> s = new HashMap<>();
    s.put("http", "0.0.0.0:8001");
    s.put("advertise", "http://node1.example:8001/");
    s.put("raft", "10.0.0.1:9001");
    s.put("peers", "10.0.0.1:9001, 10.0.0.2:9001 ,10.0.0.3:9001");
    s.put("data", "/var/lib/roster");
    s.put("zone", "sh001");
    s.put("renew-interval", "10s");
    s.put("evict-interval", "20s");
    s.put("expire", "45s");
    s.put("protect-threshold", "0.5");
    s.put("evict-ceiling", "2h");
    s.put("poll-hold", "500ms");
    s.put("election-timeout", "2s");
    s.put("snapshot-interval", "10m");
    s.put("shutdown-grace", "1m");

    NodeConfig c = NodeConfig.fromSettings(s);

    assertThat(c.http()).isEqualTo(new HostPort("0.0.0.0", 8001));
    assertThat(c.advertise()).as("trailing slash dropped").isEqualTo("http://node1.example:8001");
    assertThat(c.peers())
        .containsExactly(
            new HostPort("10.0.0.1", 9001),
            new HostPort("10.0.0.2", 9001),
            new HostPort("10.0.0.3", 9001));
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/roster"));
    assertThat(c.zone()).isEqualTo("sh001");
    assertThat(c.renewInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.evictInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.expire()).isEqualTo(Duration.ofSeconds(45));
    assertThat(c.protectThreshold()).isEqualTo(0.5);
    assertThat(c.evictCeiling()).isEqualTo(Duration.ofHours(2));
    assertThat(c.pollHold()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.electionTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.snapshotInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void tlsNeedsItsKeyAndTheClusterCaAndHttpsUrls() {
    Map<String, String> tls =
        Map.of(
            "tls-cert", "n.pem", "tls-key", "n.key", "tls-ca", "ca.pem", "http", "127.0.0.1:7443");
    NodeConfig c = NodeConfig.fromSettings(tls);
    assertThat(c.tls()).isTrue();
    assertThat(c.advertise()).isEqualTo("https://127.0.0.1:7443");
    assertThat(c.clusterUrl()).isEqualTo("https://127.0.0.1:7443");
    assertThatThrownBy(
            () -> NodeConfig.fromSettings(Map.of("tls-cert", "n.pem", "tls-ca", "ca.pem")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls-key: needed with tls-cert");
    assertThatThrownBy(() -> NodeConfig.fromSettings(Map.of("tls-key", "n.key")))
        .hasMessageStartingWith("tls-cert: needed with tls-key");
    assertThatThrownBy(
            () -> NodeConfig.fromSettings(Map.of("tls-cert", "n.pem", "tls-key", "n.key")))
        .hasMessageStartingWith("tls-ca: needed with tls-cert");
    assertThatThrownBy(() -> NodeConfig.fromSettings(Map.of("tls-client-ca", "c.pem")))
        .hasMessageStartingWith("tls-client-ca: needs tls-cert and tls-key too");
    Map<String, String> plainAdvertise = new HashMap<>(tls);
    plainAdvertise.put("advertise", "http://a:7443");
    assertThatThrownBy(() -> NodeConfig.fromSettings(plainAdvertise))
        .hasMessageStartingWith("advertise: 'http://a:7443' must be an https:// URL");
    Map<String, String> plainCluster = new HashMap<>(tls);
    plainCluster.put("cluster-url", "http://node-a:7443");
    assertThatThrownBy(() -> NodeConfig.fromSettings(plainCluster))
        .hasMessageStartingWith("cluster-url: 'http://node-a:7443' must be an https:// URL");
  }

  @Test
  void advertiseOfAWildcardListenAddressUsesLoopback() {
    NodeConfig c = NodeConfig.fromSettings(Map.of("http", "0.0.0.0:7000"));

    assertThat(c.advertise()).isEqualTo("http://127.0.0.1:7000");
  }

  @Test
  void peersDefaultToThisNodesRaftAddress() {
    NodeConfig c = NodeConfig.fromSettings(Map.of("raft", "127.0.0.1:9999"));

    assertThat(c.peers()).containsExactly(new HostPort("127.0.0.1", 9999));
  }

  @ParameterizedTest(name = "{0} = ''{1}''")
  @CsvSource(
      delimiter = '|',
      value = {
        "renew-interval    | 30",
        "renew-interval    | 30 s",
        "renew-interval    | -5s",
        "renew-interval    | 0s",
        "renew-interval    | 1.5s",
        "renew-interval    | 99999999999999999999s",
        "evict-interval    | soon",
        "expire            | 2d",
        "evict-ceiling     | ''",
        "poll-hold         | 0ms",
        "election-timeout  | 1000",
        "election-timeout  | 50ms",
        "election-timeout  | 1000h",
        "snapshot-interval | 1000000h",
        "snapshot-interval | 500ms",
        "snapshot-ops      | 999",
        "snapshot-ops      | many",
        "snapshot-ops      | 1e6",
        "shutdown-grace    | x",
        "http              | localhost",
        "http              | 127.0.0.1:",
        "http              | :7171",
        "http              | 127.0.0.1:http",
        "http              | 127.0.0.1:70000",
        "http              | 127.0.0.1:0",
        "raft              | 127.0.0.1",
        "advertise         | node1:7171",
        "data              | ''",
        "zone              | ''",
        "protect-threshold | 0",
        "protect-threshold | -0.5",
        "protect-threshold | 1.01",
        "protect-threshold | NaN",
        "protect-threshold | high",
      })
  void badValueIsRejectedNamingTheSetting(String key, String value) {
    assertThatThrownBy(() -> NodeConfig.fromSettings(Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void malformedPeerIsRejectedNamingPeers() {
    assertThatThrownBy(
            () ->
                NodeConfig.fromSettings(
                    Map.of("raft", "127.0.0.1:7271", "peers", "127.0.0.1:7271,127.0.0.1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("peers");
  }

  @Test
  void peersWithoutThisNodesRaftAddressAreRejected() {
    assertThatThrownBy(
            () ->
                NodeConfig.fromSettings(
                    Map.of("raft", "127.0.0.1:7271", "peers", "127.0.0.1:7272,127.0.0.1:7273")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("peers")
        .hasMessageContaining("127.0.0.1:7271");
  }

  @ParameterizedTest(name = "expire {0}, renew-interval {1}")
  @CsvSource({"30s,30s", "10s,30s", "29999ms,30s"})
  void expireNotLongerThanTheRenewIntervalIsRejected(String expire, String renew) {
    assertThatThrownBy(
            () -> NodeConfig.fromSettings(Map.of("expire", expire, "renew-interval", renew)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("expire")
        .hasMessageContaining("renew-interval");
  }

  @Test
  void evictCeilingShorterThanExpireIsRejected() {
    assertThatThrownBy(() -> NodeConfig.fromSettings(Map.of("expire", "2h")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("evict-ceiling");
  }

  @Test
  void thresholdOfExactlyOneIsAllowed() {
    assertThat(NodeConfig.fromSettings(Map.of("protect-threshold", "1")).protectThreshold())
        .isEqualTo(1.0);
  }

  @Test
  void unknownSettingIsRejectedNamingItAndTheKnownOnes() {
    assertThatThrownBy(() -> NodeConfig.fromSettings(Map.of("renew_interval", "30s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("renew_interval")
        .hasMessageContaining("renew-interval");
  }

  @Test
  void valuesAreTrimmed() {
    NodeConfig c = NodeConfig.fromSettings(Map.of("http", " 127.0.0.1:8000 ", "expire", " 100s"));

    assertThat(c.http().port()).isEqualTo(8000);
    assertThat(c.expire()).isEqualTo(Duration.ofSeconds(100));
  }

  @Test
  void durationsPrintTheWayTheyAreWritten() {
    for (String d : List.of("500ms", "30s", "1m", "1h", "1500ms", "90s")) {
      assertThat(Durations.format(Durations.parse(d))).isEqualTo(d);
    }
  }
}
