package dev.roster.it;

import static dev.roster.it.Clients.ENV;
import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.node.testing.ProcessCluster;
import dev.roster.node.testing.TestCluster;
import java.nio.file.Path;
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
  /** The node's shaded jar, built by registry-node's {@code package} before this module's tests. */
  private static final Path NODE_JAR = Path.of("..", "registry-node", "target", "roster-node.jar");

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration READY = Duration.ofSeconds(60);
  private ProcessCluster nodes;
  private int leader;

  @BeforeEach
  void start() {
    nodes = ProcessCluster.start(NODE_JAR, 3, TestCluster.SHORT_TIMINGS);
    leader = nodes.awaitReady(READY);
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
      int newLeader = nodes.awaitReady(READY);

      await("h1 stays registered past the new leader's first evictions")
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(() -> nodes.everyRunningNodeHas(ENV, "billing", "h1"));
      assertThat(
              nodes
                      .instance(newLeader, ENV, "billing", "h1")
                      .orElseThrow()
                      .path("renew_timestamp")
                      .asLong()
                  / 1_000_000)
          .as("renewed through the new leader")
          .isGreaterThan(killed);

      Registration h2 = app.register(instance("billing", "h2"));
      await().atMost(WAIT).until(() -> billing.lastHostnames().equals(List.of("h1", "h2")));

      assertThat(h1.isClosed()).isFalse();
      assertThat(h2.isClosed()).isFalse();
      assertThat(billing.calls)
          .allSatisfy(v -> assertThat(Clients.Recorder.hostnames(v)).contains("h1"));
      assertThat(billing.versions()).isSorted().doesNotHaveDuplicates();
      assertThat(log.warnings()).as("nothing the user would notice").isEmpty();
    }
  }
}
