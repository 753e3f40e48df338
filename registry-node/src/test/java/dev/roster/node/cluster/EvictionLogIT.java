package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.RetryingWriter;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The eviction log is replicated state: every node answers the same entries, citing the same log
 * entry; it survives a snapshot and a restart; {@code /cluster/members} shows the whole cluster
 * from any node, and a member that is down as unreachable.
 */
@Timeout(120)
class EvictionLogIT {
  private TestCluster cluster;
  private final AtomicBoolean renewing = new AtomicBoolean(true);
  private Thread renewer;

  @AfterEach
  void stop() throws InterruptedException {
    renewing.set(false);
    if (renewer != null) {
      renewer.join(10_000);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private void register(String hostname) {
    RetryingWriter w = new RetryingWriter(cluster.urls());
    Http.Response r =
        w.post(
            "/discovery/register",
            "zone=z&env=ev&appid=log.app&hostname=" + hostname + "&addrs=http://10.3.0.1:80",
            System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    assertThat(r.code()).as(r.body().toString()).isZero();
  }

  /** Keeps {@code hosts} renewed (every 30 ms, renew interval 200 ms) until the test ends. */
  private void keepRenewing(List<String> hosts) {
    RetryingWriter w = new RetryingWriter(cluster.urls());
    renewer =
        new Thread(
            () -> {
              while (renewing.get()) {
                for (String h : hosts) {
                  w.post(
                      "/discovery/renew",
                      "env=ev&appid=log.app&hostname=" + h,
                      System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
                }
                try {
                  Thread.sleep(30);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    renewer.setDaemon(true);
    renewer.start();
  }

  private JsonNode evictions(int node) {
    return Http.get(cluster.url(node) + "/discovery/evictions?env=ev&appid=log.app").data();
  }

  @Test
  void everyNodeLogsTheSameEvictionCitingTheSameEntryAndKeepsItThroughASnapshotAndARestart()
      throws Exception {
    cluster = TestCluster.start(3, TestCluster.SHORT_TIMINGS);
    int leader = cluster.awaitReady();
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      kept.add("kept" + i);
      register("kept" + i);
    }
    keepRenewing(kept);
    register("silent");

    await("the silent instance is logged on every node")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cluster.urls().stream()
                    .allMatch(
                        u ->
                            Http.get(u + "/discovery/evictions?env=ev&appid=log.app")
                                    .data()
                                    .path("evictions")
                                    .size()
                                == 1));
    JsonNode expected = evictions(leader).path("evictions");
    JsonNode e = expected.get(0);
    assertThat(e.path("hostname").asText()).isEqualTo("silent");
    assertThat(e.path("reason").asText()).isEqualTo("expired");
    assertThat(e.path("index").asLong()).isPositive();
    for (int node = 0; node < 3; node++) {
      assertThat(evictions(node).path("evictions")).as("node %d", node).isEqualTo(expected);
      assertThat(evictions(node).path("totals").path("expired").asLong()).isEqualTo(1);
    }

    // a follower snapshots, restarts, and loads the log from its snapshot
    int follower = cluster.followers(leader).get(0);
    cluster.node(follower).raft().admin().snapshot().get(30, TimeUnit.SECONDS);
    cluster.stopNode(follower);
    cluster.startNode(follower);
    await("the restarted follower is ready")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Http.get(cluster.url(follower) + "/ready").code() == 0);
    assertThat(evictions(follower).path("evictions")).isEqualTo(expected);
  }

  @Test
  void membersAreListedFromAnyNodeAndADeadOneAsUnreachable() {
    cluster = TestCluster.start(3, Map.of("election-timeout", "1000ms"));
    int leader = cluster.awaitReady();
    int follower = cluster.followers(leader).get(0);

    JsonNode fromFollower = Http.get(cluster.url(follower) + "/cluster/members").data();

    assertThat(fromFollower.path("members")).hasSize(3);
    assertThat(fromFollower.path("leader").asText()).isEqualTo(cluster.raftAddress(leader));
    for (JsonNode m : fromFollower.path("members")) {
      assertThat(m.path("reachable").asBoolean()).as(m.toString()).isTrue();
      assertThat(m.path("ready").asBoolean()).as(m.toString()).isTrue();
      assertThat(m.path("self").asBoolean())
          .isEqualTo(m.path("id").asText().equals(cluster.raftAddress(follower)));
      assertThat(m.path("last_contact_ms").isNumber()).as("last contact of %s", m).isTrue();
      assertThat(m.path("lag").isNumber()).isTrue();
    }

    int dead = cluster.followers(leader).get(1);
    cluster.killNode(dead);
    await("the dead member is unreachable")
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (JsonNode m :
                  Http.get(cluster.url(leader) + "/cluster/members").data().path("members")) {
                if (m.path("id").asText().equals(cluster.raftAddress(dead))) {
                  return !m.path("reachable").asBoolean()
                      && m.path("role").asText().equals("unknown")
                      && !m.path("error").asText().isEmpty();
                }
              }
              return false;
            });
  }
}
