package dev.roster.it;

import static dev.roster.it.Clients.ENV;
import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.AppInstances;
import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.Watch;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader crashes while a registration renews every 200 ms (the registry expires instances after
 * 2 s) and a watch is parked: neither the registration nor the watch may notice.
 */
class ClientFailoverIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration READY = Duration.ofSeconds(30);
  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3, TestCluster.SHORT_TIMINGS);
    cluster.awaitReady(READY);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void leaderCrashKeepsTheRegistrationAliveAndTheWatchGoing() {
    Clients.Recorder billing = new Clients.Recorder();
    try (LogCapture log = new LogCapture();
        RosterClient app = Clients.builder(cluster.urls()).build();
        RosterClient watcher = Clients.builder(cluster.urls()).build()) {
      Registration h1 = app.register(instance("billing", "h1"));
      Watch watch = watcher.watch("billing", billing);
      await().atMost(WAIT).until(() -> billing.lastHostnames().equals(List.of("h1")));
      int oldLeader = cluster.awaitLeader(READY);

      cluster.killNode(oldLeader); // no grace, no hand-over by Roster (see TestCluster#killNode)
      int newLeader = cluster.awaitLeader(READY);
      long elected = System.currentTimeMillis();

      // the new leader evicts after one expiry of grace (2 s) and checks every 500 ms: h1 would be
      // gone within ~3 s if it were not renewed
      await("h1 stays registered past the new leader's first evictions")
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(8))
          .until(() -> cluster.everyRunningNodeHas(ENV, "billing", "h1"));
      long renewedMs =
          cluster.instance(newLeader, ENV, "billing", "h1").orElseThrow().renewTimestamp()
              / 1_000_000;
      assertThat(renewedMs).as("renewed through the new leader").isGreaterThan(elected);

      // the watch is still live: a change written after the crash reaches it
      Registration h2 = app.register(instance("billing", "h2"));
      await().atMost(WAIT).until(() -> billing.lastHostnames().equals(List.of("h1", "h2")));

      assertThat(h1.isClosed()).isFalse();
      assertThat(h2.isClosed()).isFalse();
      assertThat(billing.calls)
          .as("no version ever lacked h1")
          .allSatisfy(v -> assertThat(Clients.Recorder.hostnames(v)).contains("h1"));
      assertThat(billing.versions()).isSorted().doesNotHaveDuplicates();
      assertThat(watch.current().map(AppInstances::instances).orElseThrow()).hasSize(2);
      assertThat(log.warnings()).as("nothing the user would notice").isEmpty();
    }
  }
}
