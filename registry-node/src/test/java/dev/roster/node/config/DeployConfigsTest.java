package dev.roster.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sample configs in deploy/ start a working 3-node cluster: they parse and agree. */
class DeployConfigsTest {
  private static final Path DEPLOY =
      Path.of(System.getProperty("basedir", ".")).resolve("../deploy").normalize();

  private static List<NodeConfig> configs() {
    List<NodeConfig> configs = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      Path file = DEPLOY.resolve("node" + n + ".yml");
      assertThat(file).exists();
      configs.add(NodeConfig.fromSettings(CommandLineArgs.parse("-c", file.toString())));
    }
    return configs;
  }

  @Test
  void everyNodeConfigParses() {
    assertThat(configs()).hasSize(3);
    assertThat(Files.isRegularFile(DEPLOY.resolve("node1.yml"))).isTrue();
  }

  @Test
  void nodesShareOnePeerListThatListsEachOfThem() {
    List<NodeConfig> configs = configs();
    List<HostPort> peers = configs.get(0).peers();

    assertThat(peers).hasSize(3).doesNotHaveDuplicates();
    Set<HostPort> rafts = new HashSet<>();
    for (NodeConfig c : configs) {
      assertThat(c.peers()).isEqualTo(peers);
      assertThat(peers).contains(c.raft());
      rafts.add(c.raft());
    }
    assertThat(rafts).containsExactlyInAnyOrderElementsOf(peers);
  }

  @Test
  void nodesUseDistinctPortsAndDataDirectories() {
    List<NodeConfig> configs = configs();
    Set<Integer> ports = new HashSet<>();
    Set<HostPort> listens = new HashSet<>();
    Set<Path> dataDirs = new HashSet<>();
    Set<String> advertised = new HashSet<>();
    for (NodeConfig c : configs) {
      ports.add(c.http().port());
      ports.add(c.raft().port());
      listens.add(c.http());
      listens.add(c.raft());
      dataDirs.add(c.dataDir().normalize());
      advertised.add(c.advertise());
      assertThat(c.advertise()).endsWith(":" + c.http().port());
    }
    assertThat(ports).as("all on one machine: every port distinct").hasSize(6);
    assertThat(listens).hasSize(6);
    assertThat(dataDirs).hasSize(3);
    assertThat(advertised).hasSize(3);
  }

  @Test
  void nodesAgreeOnRegistryTimings() {
    List<NodeConfig> configs = configs();
    for (NodeConfig c : configs) {
      assertThat(c.renewInterval()).isEqualTo(configs.get(0).renewInterval());
      assertThat(c.evictInterval()).isEqualTo(configs.get(0).evictInterval());
      assertThat(c.expire()).isEqualTo(configs.get(0).expire());
      assertThat(c.protectThreshold()).isEqualTo(configs.get(0).protectThreshold());
      assertThat(c.electionTimeout()).isEqualTo(configs.get(0).electionTimeout());
    }
  }
}
