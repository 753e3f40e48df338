package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Concurrent renews are committed in shared log entries, and each caller gets its own answer. */
class RenewCoalescingIT {
  @Test
  void concurrentRenewsShareLogEntriesAndEachGetsItsOwnInstance() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitReady();
      for (int i = 0; i < 20; i++) {
        assertThat(
                Http.postForm(
                        c.url(leader) + "/discovery/register",
                        "zone=z&env=co&appid=app&hostname=h" + i + "&addrs=http://10.4.0.1:80")
                    .code())
            .isZero();
      }
      long indexBefore = c.node(leader).raft().status().lastLogIndex();
      int renews = 1600;
      ExecutorService pool = Executors.newFixedThreadPool(32);
      try {
        List<Future<Http.Response>> results = new ArrayList<>();
        for (int i = 0; i < renews; i++) {
          String host = i % 50 == 49 ? "unknown" : "h" + (i % 20);
          results.add(
              pool.submit(
                  () ->
                      Http.postForm(
                          c.url(leader) + "/discovery/renew",
                          "env=co&appid=app&hostname=" + host)));
        }
        for (int i = 0; i < renews; i++) {
          Http.Response r = results.get(i).get(60, TimeUnit.SECONDS);
          if (i % 50 == 49) {
            assertThat(r.code()).isEqualTo(-404);
          } else {
            assertThat(r.code()).as(r.body().toString()).isZero();
            assertThat(r.data().path("hostname").asText()).isEqualTo("h" + (i % 20));
          }
        }
      } finally {
        pool.shutdownNow();
      }
      long entries = c.node(leader).raft().status().lastLogIndex() - indexBefore;
      // 32 concurrent callers, at most 4 batches in flight: far fewer entries than renews
      assertThat(entries).isLessThan(renews / 2);
      long renewsCounted =
          c.node(leader).raft().stateMachine().read(r -> r.guard().renewsThisWindow());
      assertThat(renewsCounted).isEqualTo(renews - renews / 50);
    }
  }
}
