package dev.roster.it;

import static dev.roster.it.Clients.ENV;
import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.roster.client.AppInstances;
import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.RosterRequestException;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against a cluster that needs tokens: it sends its token with every request
 * (through the redirect to the leader too), a refusal is an error naming the code, and a supplier
 * lets the token rotate without a new client.
 */
class ClientTokenIT {
  @TempDir Path dir;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start() throws IOException {
    Map<String, String> settings = new HashMap<>(TestCluster.SHORT_TIMINGS);
    settings.put(
        "admin-token-file", Files.writeString(dir.resolve("admin"), "node-token\n").toString());
    settings.put(
        "write-token-file",
        Files.writeString(dir.resolve("write"), "it-writer " + ENV + "\nold-token\nnew-token\n")
            .toString());
    settings.put(
        "read-token-file", Files.writeString(dir.resolve("read"), "it-reader\n").toString());
    cluster = TestCluster.start(3, settings);
    cluster.awaitReady();
  }

  @Test
  void aClientWithAWriteTokenRegistersRenewsAndWatchesThroughAFollower() throws IOException {
    start();
    int follower = cluster.followers(cluster.awaitLeader()).get(0);
    try (RosterClient client =
            Clients.builder(List.of(cluster.url(follower))).token("it-writer").build();
        Registration r = client.register(instance("secured", "s1"))) {
      assertThat(r.instance().hostname()).isEqualTo("s1");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.everyRunningNodeHas(ENV, "secured", "s1"));
      AppInstances fetched = client.fetch("secured");
      assertThat(fetched.instances()).extracting(i -> i.hostname()).containsExactly("s1");
    }
  }

  @Test
  void withoutATokenOrWithAWrongOneARegistrationIsRefusedAndNothingIsRegistered()
      throws IOException {
    start();
    for (String token : new String[] {null, "not-a-token"}) {
      String expected = token == null ? "missing token" : "wrong token";
      try (RosterClient client = Clients.builder(cluster.urls()).token(() -> token).build()) {
        assertThatThrownBy(() -> client.register(instance("refused", "r1")))
            .isInstanceOf(RosterRequestException.class)
            .hasMessageContaining(expected)
            .hasMessageNotContaining("not-a-token")
            .satisfies(e -> assertThat(((RosterRequestException) e).code()).isEqualTo(-401));
      }
    }
    assertThat(cluster.noRunningNodeHas(ENV, "refused", "r1")).isTrue();
  }

  @Test
  void aSuppliedTokenRotatesWithoutANewClient() throws IOException {
    start();
    AtomicReference<String> current = new AtomicReference<>("old-token");
    try (RosterClient client = Clients.builder(cluster.urls()).token(current::get).build()) {
      client.register(instance("rotating", "a")).close();
      current.set("new-token");
      // the old token leaves the file; the client's next requests carry the new one
      Files.writeString(dir.resolve("write"), "it-writer " + ENV + "\nnew-token\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> client.register(instance("rotating", "b")).close());
    }
  }
}
