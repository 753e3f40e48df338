package dev.roster.it;

import static dev.roster.it.Clients.ENV;
import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader is SIGKILLed: unlike an in-process stop (whose Raft shutdown wakes a successor at
 * once), the followers only notice by missing heartbeats, so there is no leader for about an
 * election timeout and writes answer -503 meanwhile. The client must ride through that too.
 */
class ClientCrashIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private ProcessNodes nodes;
  private int leader;

  @BeforeEach
  void start() {
    nodes = ProcessNodes.start(3);
    leader = nodes.awaitReady();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void sigkilledLeaderLeavesTheRegistrationAliveAndTheWatchGoing() {
    Clients.Recorder billing = new Clients.Recorder();
    try (LogCapture log = new LogCapture();
        RosterClient app = Clients.builder(nodes.urls()).build();
        RosterClient watcher = Clients.builder(nodes.urls()).build()) {
      Registration h1 = app.register(instance("billing", "h1"));
      watcher.watch("billing", billing);
      await().atMost(WAIT).until(() -> billing.lastHostnames().equals(List.of("h1")));

      nodes.kill(leader);
      long killed = System.currentTimeMillis();
      int newLeader = nodes.awaitReady();

      await("h1 stays registered past the new leader's first evictions")
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(() -> nodes.everyRunningNodeHas(ENV, "billing", "h1"));
      assertThat(nodes.renewTimestamp(newLeader, ENV, "billing", "h1").orElseThrow() / 1_000_000)
          .as("renewed through the new leader").isGreaterThan(killed);

      Registration h2 = app.register(instance("billing", "h2"));
      await().atMost(WAIT).until(() -> billing.lastHostnames().equals(List.of("h1", "h2")));

      assertThat(h1.isClosed()).isFalse();
      assertThat(h2.isClosed()).isFalse();
      assertThat(billing.calls).allSatisfy(v -> assertThat(Clients.Recorder.hostnames(v)).contains("h1"));
      assertThat(billing.versions()).isSorted().doesNotHaveDuplicates();
      assertThat(log.warnings()).as("nothing the user would notice").isEmpty();
    }
  }
}
