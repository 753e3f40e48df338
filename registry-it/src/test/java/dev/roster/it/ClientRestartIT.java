package dev.roster.it;

import static dev.roster.it.Clients.ENV;
import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.Instance;
import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.Watch;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every node goes down and comes back on the same ports: the client picks up where it was. */
class ClientRestartIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
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
  void fullRestartOnTheSameDataKeepsTheRegistrationAndTheWatch() {
    Clients.Recorder billing = new Clients.Recorder();
    try (RosterClient app = Clients.builder(cluster.urls()).build();
        RosterClient watcher = Clients.builder(cluster.urls()).build()) {
      Registration h1 = app.register(instance("billing", "h1"));
      Watch watch = watcher.watch("billing", billing);
      await().atMost(WAIT).until(() -> billing.lastHostnames().equals(List.of("h1")));

      stopAll();
      // while nothing answers, the last known instances are still served from memory
      assertThat(watch.current().orElseThrow().instances())
          .extracting(Instance::hostname)
          .containsExactly("h1");
      assertThat(watcher.fetch("billing").instances())
          .extracting(Instance::hostname)
          .containsExactly("h1");
      startAll();
      long restarted = System.currentTimeMillis();

      await("h1 renewed after the restart")
          .atMost(WAIT)
          .until(
              () ->
                  cluster.everyRunningNodeHas(ENV, "billing", "h1")
                      && cluster
                                  .instance(cluster.awaitLeader(READY), ENV, "billing", "h1")
                                  .orElseThrow()
                                  .renewTimestamp()
                              / 1_000_000
                          > restarted);
      app.register(instance("billing", "h2"));
      await("the watch goes on")
          .atMost(WAIT)
          .until(() -> billing.lastHostnames().equals(List.of("h1", "h2")));
      assertThat(h1.isClosed()).isFalse();
      assertThat(billing.versions()).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void clusterRebuiltFromScratchGetsTheInstanceRegisteredAgain() {
    Clients.Recorder billing = new Clients.Recorder();
    try (RosterClient app = Clients.builder(cluster.urls()).build();
        RosterClient watcher = Clients.builder(cluster.urls()).build()) {
      Registration h1 = app.register(instance("billing", "h1"));
      watcher.watch("billing", billing);
      await().atMost(WAIT).until(() -> billing.lastHostnames().equals(List.of("h1")));

      stopAll();
      for (int i = 0; i < cluster.size(); i++) {
        cluster.wipe(i); // same ports, empty disks: the registry forgot everything
      }
      startAll();

      // the next renew answers -404 and the registration registers h1 again
      await("h1 registered again")
          .atMost(WAIT)
          .until(() -> cluster.everyRunningNodeHas(ENV, "billing", "h1"));
      assertThat(h1.isClosed()).isFalse();
      await("the watcher sees the new registry's version")
          .atMost(WAIT)
          .until(() -> billing.calls.size() >= 2 && billing.lastHostnames().equals(List.of("h1")));
      // the rebuilt registry may briefly have had no billing at all (an empty call, version 0)
      assertThat(billing.versions().stream().filter(v -> v > 0).toList())
          .isSorted()
          .doesNotHaveDuplicates();
    }
  }

  private void stopAll() {
    for (int i = 0; i < cluster.size(); i++) {
      cluster.killNode(i);
    }
  }

  private void startAll() {
    for (int i = 0; i < cluster.size(); i++) {
      cluster.startNode(i);
    }
    cluster.awaitReady(READY);
  }
}
