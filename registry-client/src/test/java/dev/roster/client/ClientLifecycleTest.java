package dev.roster.client;

import static dev.roster.client.Clients.fast;
import static dev.roster.client.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What close() promises: registrations cancelled, watches stopped, no thread left behind. */
class ClientLifecycleTest {
  private StubNode node;
  private FakeApps apps;

  @BeforeEach
  void start() {
    node = StubNode.start().actingAsLeader();
    apps = new FakeApps();
    apps.serveOn(node);
    apps.put("users", 1, "u1");
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void closeStopsEveryThreadTheClientStarted() {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    RosterClient client = fast(node.url()).renewInterval(Duration.ofMillis(50)).build();
    client.register(instance("billing", "h1"));
    WatchTest.Seen seen = new WatchTest.Seen();
    client.watch("users", seen);
    CompletableFuture<AppInstances> pending = client.fetchAsync(Query.app("users"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> node.count("/discovery/renew") >= 2 && !seen.calls.isEmpty());
    pending.join();
    assertThat(started(before)).anyMatch(n -> n.startsWith("roster-client-"));

    client.close();
    client = null;

    assertThat(node.count("/discovery/cancel")).isEqualTo(1);
    // the JDK 17 HttpClient has no close(): its selector thread ends once the client is collected
    await("every thread the client started has ended")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              System.gc();
              return started(before);
            },
            List::isEmpty);
  }

  @Test
  void aClosedClientRefusesWorkAndClosingTwiceIsHarmless() {
    RosterClient client = fast(node.url()).build();
    Watch w = client.watch("users", now -> {});
    client.close();
    client.close();

    assertThatThrownBy(() -> client.fetch("users")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> client.watch("users", now -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> client.register(instance("a", "h")))
        .isInstanceOf(IllegalStateException.class);
    w.close();
  }

  @Test
  void closeDoesNotHangWhenTheRegistryIsGone() {
    RosterClient client = fast(node.url()).deadline(Duration.ofSeconds(1)).build();
    client.register(instance("billing", "h1"));
    client.watch("users", now -> {});
    node.close();

    long start = System.nanoTime();
    client.close();

    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3000);
  }

  /** Names of live threads that did not exist before, except the stub's and the test tools'. */
  private static List<String> started(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t))
        .map(Thread::getName)
        .filter(n -> !n.startsWith("stub-node-") && !n.startsWith("awaitility"))
        .sorted()
        .toList();
  }
}
