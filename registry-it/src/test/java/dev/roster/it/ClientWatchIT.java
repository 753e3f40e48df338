package dev.roster.it;

import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.Status;
import dev.roster.client.Watch;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Watches on a real 3-node cluster: woken by changes written through other clients. */
class ClientWatchIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration READY = Duration.ofSeconds(30);
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, TestCluster.SHORT_TIMINGS);
    cluster.awaitReady(READY);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /**
   * The registry parks a poll of an application that no longer exists (as discovery does), so a
   * watch of that application alone learns it is gone from the fetch after the hold.
   */
  @Test
  void aWatchOfOneApplicationSeesItGoWithItsLastInstance() {
    Clients.Recorder lonely = new Clients.Recorder();
    try (RosterClient watcher = Clients.builder(cluster.urls()).build();
        RosterClient service = Clients.builder(List.of(cluster.url(1))).build()) {
      Registration only = service.register(instance("lonely", "l1"));
      watcher.watch("lonely", lonely);
      await().atMost(WAIT).until(() -> lonely.lastHostnames().equals(List.of("l1")));

      only.close();
      await().atMost(WAIT).until(() -> lonely.calls.get(lonely.calls.size() - 1).isEmpty());
    }
  }

  @Test
  void watchWakesOnEveryChange() {
    Clients.Recorder users = new Clients.Recorder();
    Clients.Recorder other = new Clients.Recorder();
    try (RosterClient watcher = Clients.builder(cluster.urls()).build();
        RosterClient service = Clients.builder(List.of(cluster.url(2))).build()) {
      Watch w = watcher.watch("users", users);
      watcher.watch("inventory", other);
      await().atMost(WAIT).until(() -> users.calls.size() == 1 && other.calls.size() == 1);
      assertThat(users.calls.get(0).isEmpty()).as("the application does not exist yet").isTrue();

      Registration u1 = service.register(instance("users", "u1"));
      await().atMost(WAIT).until(() -> users.lastHostnames().equals(List.of("u1")));

      Registration u2 = service.register(instance("users", "u2"));
      await().atMost(WAIT).until(() -> users.lastHostnames().equals(List.of("u1", "u2")));

      u1.setStatus(Status.WAITING); // drain: watchers see UP instances only
      await().atMost(WAIT).until(() -> users.lastHostnames().equals(List.of("u2")));

      u2.close();
      u1.close(); // the last instance: the application disappears
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !users.calls.isEmpty()
                      && users.calls.get(users.calls.size() - 1).latestTimestamp() == 0);

      assertThat(users.versions().subList(1, users.calls.size() - 1))
          .isSorted()
          .doesNotHaveDuplicates();
      assertThat(other.calls).as("the other watched app never changed").hasSize(1);
      assertThat(w.current()).hasValueSatisfying(v -> assertThat(v.isEmpty()).isTrue());
    }
  }
}
