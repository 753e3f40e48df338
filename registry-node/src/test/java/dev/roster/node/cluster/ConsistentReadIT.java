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

/**
 * Concurrent consistent reads on a follower share readIndex rounds; each must still see every write
 * acknowledged before it was sent, and none may fail for want of RPC capacity.
 */
class ConsistentReadIT {
  @Test
  void concurrentConsistentReadsOnAFollowerSeeEveryWriteAcknowledgedBeforeThem() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitReady();
      int follower = c.followers(leader).get(0);
      ExecutorService pool = Executors.newFixedThreadPool(48);
      try {
        for (int round = 0; round < 10; round++) {
          String host = "h" + round;
          assertThat(
                  Http.postForm(
                          c.url(leader) + "/discovery/register",
                          "zone=z&env=cr&appid=app&hostname=" + host + "&addrs=http://10.6.0.1:80")
                      .code())
              .isZero();
          List<Future<Http.Response>> reads = new ArrayList<>();
          for (int i = 0; i < 96; i++) {
            reads.add(
                pool.submit(
                    () ->
                        Http.get(
                            c.url(follower)
                                + "/discovery/fetch?env=cr&appid=app&consistent=true")));
          }
          for (Future<Http.Response> f : reads) {
            Http.Response r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.code()).as(r.body().toString()).isZero();
            List<String> hosts = new ArrayList<>();
            r.data()
                .path("instances")
                .path("z")
                .forEach(i -> hosts.add(i.path("hostname").asText()));
            assertThat(hosts).contains(host);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
