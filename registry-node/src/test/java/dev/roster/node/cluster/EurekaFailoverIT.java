package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.node.model.Instance;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Eureka writes when the leader goes: a follower that still names the dead leader, or no leader at
 * all, answers 503 (the Eureka client then tries its next serviceUrl) within election timeout + 1
 * s, never hangs; once a leader is elected the same renew succeeds, and the instance keeps its
 * registration (no re-register, no eviction).
 */
class EurekaFailoverIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Election timeout (1 s) + 1 s, plus room for a loaded test machine. */
  private static final Duration ANSWER_BOUND = Duration.ofSeconds(8);

  private static int send(String method, String url, String body) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(ANSWER_BOUND)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void renewsThroughAFollowerSurviveTheLeadersDeathWithoutAReRegister() throws IOException {
    try (TestCluster c = TestCluster.start(3, Map.of("eureka-env", "dev"))) {
      int leader = c.awaitReady();
      int follower = c.followers(leader).get(0);
      String app = c.url(follower) + "/eureka/apps/FAIL-SVC";
      assertThat(send("POST", app, EurekaApiIT.instanceInfo("FAIL-SVC", "f1", "UP", 7, "z1")))
          .isEqualTo(204);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> c.everyRunningNodeHas("dev", "fail-svc", "f1"));
      long registered = c.instance(follower, "dev", "fail-svc", "f1").orElseThrow().regTimestamp();

      c.killNode(leader);
      String renew = app + "/f1?status=UP&lastDirtyTimestamp=7";
      // right after the death the follower may still forward to the dead leader: 503, at once
      int first = send("PUT", renew, null);
      assertThat(first).isIn(200, 503);
      await("a renew succeeds on the new leader")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> send("PUT", renew, null) == 200);

      Instance after = c.instance(follower, "dev", "fail-svc", "f1").orElseThrow();
      assertThat(after.regTimestamp()).as("not registered again").isEqualTo(registered);
    }
  }

  @Test
  void withNoLeaderAWriteAnswers503InsteadOfHanging() throws IOException {
    try (TestCluster c = TestCluster.start(3, Map.of("eureka-env", "dev"))) {
      int leader = c.awaitReady();
      int survivor = c.followers(leader).get(0);
      for (int i = 0; i < 3; i++) {
        if (i != survivor) {
          c.killNode(i);
        }
      }

      int status =
          send(
              "POST",
              c.url(survivor) + "/eureka/apps/LONE-SVC",
              EurekaApiIT.instanceInfo("LONE-SVC", "l1", "UP", 1, "z1"));

      assertThat(status).isEqualTo(503);
      assertThat(send("PUT", c.url(survivor) + "/eureka/apps/LONE-SVC/l1?status=UP", null))
          .isEqualTo(503);
    }
  }
}
