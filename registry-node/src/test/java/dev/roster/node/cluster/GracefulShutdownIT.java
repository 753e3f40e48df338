package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.ProcessCluster;
import dev.roster.node.testing.RetryingWriter;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** SIGTERM to a real leader process: leadership moves, nothing acknowledged is lost. */
class GracefulShutdownIT {

  /**
   * Stopping a whole cluster: the leader, stopped last, finds every other member's process gone and
   * stops at once instead of spending half its grace on a handover nobody can take.
   */
  @Test
  void aLeaderWhoseFollowersAreAllStoppedDoesNotWaitToHandOver() {
    // a 10 s election timeout: the leader keeps leading for seconds after its followers stop
    try (TestCluster c = TestCluster.start(3, Map.of("election-timeout", "10s"))) {
      int leader = c.awaitReady(Duration.ofSeconds(60));
      for (int f : c.followers(leader)) {
        c.stopNode(f);
      }
      long start = System.nanoTime();
      assertThat(c.node(leader).raft().leadership().isLeader()).as("still leading").isTrue();
      c.node(leader).close(Duration.ofSeconds(20));
      long closeMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(closeMs)
          .as("close with a 20 s grace, ms (a handover attempt waits 10 s)")
          .isLessThan(8000);
    }
  }

  @Test
  void sigtermToTheLeaderMovesLeadershipAndLosesNoAcknowledgedWrite() throws Exception {
    try (ProcessCluster c = ProcessCluster.start(3, Map.of("shutdown-grace", "5s"))) {
      int leader = c.awaitLeader(Duration.ofSeconds(30));
      List<String> urls = c.urls();
      Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      int[] afterTerm = {0};
      AtomicBoolean terminated = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                RetryingWriter w = new RetryingWriter(urls);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                for (int k = 0; k < 2000 && !stop.get() && System.nanoTime() < end; k++) {
                  String host = "w" + k;
                  Http.Response r =
                      w.post(
                          "/discovery/register",
                          "zone=z&env=test&appid=shutdown&hostname="
                              + host
                              + "&addrs=http://10.0.0.1:"
                              + (k % 60000 + 1),
                          System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                  if (r != null && r.code() == 0) {
                    acknowledged.add(host);
                    if (terminated.get()) {
                      afterTerm[0]++;
                    }
                  }
                }
              });
      writer.start();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> acknowledged.size() >= 30);

      long start = System.nanoTime();
      Process old = c.terminate(leader);
      terminated.set(true);
      assertThat(old.waitFor(10, TimeUnit.SECONDS)).as("leader exits within its grace").isTrue();
      long exitMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(exitMs).as("exit time, ms").isLessThan(8000);

      int newLeader = c.awaitLeader(Duration.ofSeconds(20));
      assertThat(newLeader).isNotEqualTo(leader);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> afterTerm[0] >= 30);
      stop.set(true);
      writer.join(30_000);

      assertThat(c.log(leader)).contains("handed leadership over");
      for (int survivor : List.of(0, 1, 2)) {
        if (survivor == leader) {
          continue;
        }
        JsonNode data =
            Http.get(c.url(survivor) + "/discovery/fetch?env=test&appid=shutdown&consistent=true")
                .data();
        Set<String> present = new HashSet<>();
        data.path("instances").path("z").forEach(i -> present.add(i.path("hostname").asText()));
        assertThat(present)
            .as("acknowledged registrations on node %d", survivor)
            .containsAll(acknowledged);
      }
    }
  }
}
