package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.ProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node list clients bootstrap from tells the truth, fast, and the same on every node: a ready
 * node lists every member; a node killed with SIGKILL is listed as not UP within seconds (not after
 * its registration expires) and as UP again once restarted; a removed member disappears.
 */
@Timeout(180)
class NodeListIT {
  /** Bounds of the waits; generous for 2 shared cores, not performance claims. */
  private static final Duration SHORTLY = Duration.ofSeconds(15);

  @Test
  void theNodeListFollowsTheFateOfEveryNode() {
    try (ProcessCluster c = ProcessCluster.start(3, Map.of())) {
      everyNodeListsEveryMemberOnceReady(c);
      int leader = c.awaitReady(Duration.ofSeconds(60));
      int victim = (leader + 1) % 3;
      String victimRaft = c.raftAddress(victim);
      await("every node lists all three as UP")
          .atMost(SHORTLY)
          .ignoreExceptions()
          .until(() -> upEverywhere(c).values().stream().allMatch(up -> up.size() == 3));

      c.kill(victim);
      await("every running node lists the killed node as not UP")
          .atMost(SHORTLY)
          .ignoreExceptions()
          .until(
              () ->
                  upEverywhere(c).values().stream()
                      .allMatch(up -> up.size() == 2 && !up.contains(victimRaft)));
      for (int i = 0; i < 3; i++) {
        if (i != victim) {
          assertThat(nodesRow(c, i, victimRaft).path("status").asInt())
              .as("/discovery/nodes on node %d", i)
              .isEqualTo(1);
          // still listed, with every status: the entry stays until it expires
          assertThat(hostnames(c, i, "3")).contains(victimRaft);
        }
      }

      c.startNode(victim);
      await("the restarted node listed as UP again on every node")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  upEverywhere(c).size() == 3
                      && upEverywhere(c).values().stream().allMatch(up -> up.size() == 3));

      leader = c.awaitReady(Duration.ofSeconds(60));
      int removed = (leader + 1) % 3;
      String removedRaft = c.raftAddress(removed);
      Http.Response r =
          Http.postForm(c.url(leader) + "/cluster/peers/remove", "peer=" + removedRaft);
      assertThat(r.code()).as(r.body().toString()).isZero();
      int finalLeader = leader;
      await("the removed member's entry gone from the leader")
          .atMost(SHORTLY)
          .ignoreExceptions()
          .until(() -> !hostnames(c, finalLeader, "3").contains(removedRaft));
    }
  }

  /**
   * Right after a start, a node could say it was ready while the others had not announced
   * themselves yet; a client bootstrapping from it then knew one node.
   */
  private static void everyNodeListsEveryMemberOnceReady(ProcessCluster c) {
    boolean[] checked = new boolean[3];
    List<String> shortLists = new ArrayList<>();
    await("every node ready")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              for (int i = 0; i < 3; i++) {
                if (!checked[i] && Http.get(c.url(i) + "/ready").status() == 200) {
                  JsonNode nodes = Http.get(c.url(i) + "/discovery/nodes").data();
                  if (nodes.size() != 3) {
                    shortLists.add("node " + i + " was ready and listed " + nodes);
                  }
                  checked[i] = true;
                }
              }
              return checked[0] && checked[1] && checked[2];
            });
    assertThat(shortLists).isEmpty();
  }

  /** For every running node, the Raft addresses of the nodes it lists as UP in infra.discovery. */
  private static Map<Integer, List<String>> upEverywhere(ProcessCluster c) {
    Map<Integer, List<String>> up = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      if (c.isRunning(i)) {
        up.put(i, hostnames(c, i, "1"));
      }
    }
    return up;
  }

  /**
   * What node {@code i} answers a client of env {@code prod} asking for the nodes (UP by default).
   */
  private static List<String> hostnames(ProcessCluster c, int i, String statusMask) {
    Http.Response r =
        Http.get(
            c.url(i)
                + "/discovery/fetch?env=prod&appid="
                + PeerDirectory.APPID
                + "&status="
                + statusMask);
    assertThat(r.code()).as(r.body().toString()).isZero();
    List<String> hosts = new ArrayList<>();
    r.data()
        .path("instances")
        .forEach(zone -> zone.forEach(n -> hosts.add(n.path("hostname").asText())));
    return hosts;
  }

  private static JsonNode nodesRow(ProcessCluster c, int i, String raft) {
    for (JsonNode row : Http.get(c.url(i) + "/discovery/nodes").data()) {
      if (raft.equals(row.path("raft").asText())) {
        return row;
      }
    }
    throw new AssertionError("node " + i + " does not list " + raft);
  }
}
