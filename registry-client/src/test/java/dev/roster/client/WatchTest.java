package dev.roster.client;

import static dev.roster.client.Clients.fast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.StubNode.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watches on the shared long poll, against scripted nodes. */
class WatchTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private StubNode node;
  private FakeApps apps;
  private RosterClient client;

  @BeforeEach
  void start() {
    node = StubNode.start();
    apps = new FakeApps();
    apps.serveOn(node);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    node.close();
  }

  private RosterClient client() {
    return client(Duration.ofSeconds(1));
  }

  private RosterClient client(Duration hold) {
    client = fast(node.url()).pollHold(hold).build();
    return client;
  }

  /** What a listener saw: (appid, version, hostnames) per call, in order. */
  static final class Seen implements InstancesListener {
    final List<AppInstances> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onChange(AppInstances current) {
      calls.add(current);
    }

    List<Long> versions() {
      return calls.stream().map(AppInstances::latestTimestamp).toList();
    }

    List<String> lastHostnames() {
      return calls.get(calls.size() - 1).instances().stream().map(Instance::hostname).toList();
    }
  }

  @Test
  void listenerSeesEveryVersionOnceAndInOrder() {
    // a node that reveals one version per poll, and sometimes
    // answers from the past like a lagging node
    AtomicLong newest = new AtomicLong(1);
    AtomicInteger polls = new AtomicInteger();
    node.on(
        "/discovery/fetchs", r -> Answer.ok(Map.of("users", StubNode.appData("users", 1, "u1"))));
    node.on(
        "/discovery/polls",
        r -> {
          long since = Long.parseLong(r.param("latest_timestamp"));
          int n = polls.incrementAndGet();
          if (n % 3 == 0 && since > 1) {
            return Answer.ok(Map.of("users", StubNode.appData("users", since - 1, "old")));
          }
          if (n % 5 == 0) {
            return Answer.ok(Map.of("users", StubNode.appData("users", since, "same")));
          }
          if (since >= newest.get()) {
            Thread.sleep(50);
            return Answer.notModified();
          }
          return Answer.ok(
              Map.of("users", StubNode.appData("users", since + 1, "u" + (since + 1))));
        });
    Seen seen = new Seen();
    client().watch("users", seen);
    await().atMost(WAIT).until(() -> seen.calls.size() == 1);

    newest.set(20);

    await().atMost(WAIT).until(() -> seen.versions().contains(20L));
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= 20; v++) {
      expected.add(v);
    }
    assertThat(seen.versions()).containsExactlyElementsOf(expected);
    assertThat(seen.lastHostnames()).containsExactly("u20");
  }

  @Test
  void severalWatchesShareOneLongPoll() {
    apps.put("a", 1, "a1");
    apps.put("b", 1, "b1");
    apps.put("c", 1, "c1");
    RosterClient client = client(Duration.ofMillis(300));
    Seen a = new Seen();
    Seen b = new Seen();
    Seen c = new Seen();
    client.watch("a", a);
    client.watch("b", b);
    client.watch("c", c);
    await()
        .atMost(WAIT)
        .until(() -> a.calls.size() == 1 && b.calls.size() == 1 && c.calls.size() == 1);
    int settled = node.count("/discovery/polls");

    // hold is 300 ms: three more polls take about a second
    await().atMost(WAIT).until(() -> node.count("/discovery/polls") >= settled + 3);
    apps.put("b", 2, "b1", "b2");
    await().atMost(WAIT).until(() -> b.calls.size() == 2);

    List<StubNode.Request> later =
        node.requests("/discovery/polls").subList(settled, node.count("/discovery/polls"));
    for (StubNode.Request r : later) {
      assertThat(r.params("appid")).containsExactly("a", "b", "c");
      assertThat(r.params("latest_timestamp")).hasSize(3);
      assertThat(r.param("env")).isEqualTo("test");
      assertThat(r.param("hold")).isEqualTo("300");
    }
    assertThat(later.size()).as("one poll per hold for all three apps").isLessThanOrEqualTo(6);
    assertThat(b.lastHostnames()).containsExactly("b1", "b2");
    assertThat(a.calls).hasSize(1);
    assertThat(c.calls).hasSize(1);
  }

  @Test
  void watchOfAnAbsentAppStartsEmptyAndSeesItAppear() {
    Seen seen = new Seen();
    Watch w = client().watch("late", seen);
    await().atMost(WAIT).until(() -> seen.calls.size() == 1);
    assertThat(seen.calls.get(0).isEmpty()).isTrue();
    assertThat(seen.calls.get(0).latestTimestamp()).isZero();

    apps.put("late", 7, "l1");

    await().atMost(WAIT).until(() -> seen.calls.size() == 2);
    assertThat(seen.lastHostnames()).containsExactly("l1");
    assertThat(w.current()).hasValueSatisfying(v -> assertThat(v.latestTimestamp()).isEqualTo(7));
  }

  @Test
  void appThatDisappearsIsReportedEmptyEvenWhileOthersRemain() {
    apps.put("a", 1, "a1");
    apps.put("b", 1, "b1");
    Seen a = new Seen();
    RosterClient client = client();
    client.watch("a", a);
    client.watch("b", new Seen());
    await().atMost(WAIT).until(() -> a.calls.size() == 1);

    apps.remove("a"); // its last instance cancelled: the registry drops the application

    await().atMost(WAIT).until(() -> a.calls.size() == 2);
    assertThat(a.calls.get(1).isEmpty()).isTrue();
    assertThat(node.requests("/discovery/fetchs"))
        .anySatisfy(r -> assertThat(r.param("consistent")).isEqualTo("true"));

    apps.put("a", 9, "a2");
    await().atMost(WAIT).until(() -> a.calls.size() == 3);
    assertThat(a.lastHostnames()).containsExactly("a2");
  }

  @Test
  void lastKnownInstancesAreServedWhileTheRegistryIsUnreachable() {
    apps.put("users", 3, "u1");
    AtomicBoolean down = new AtomicBoolean();
    node.on("/discovery/polls", r -> down.get() ? Answer.unavailable() : apps.polls(r));
    node.on("/discovery/fetch", r -> Answer.unavailable());
    Seen seen = new Seen();
    RosterClient client = client();
    Watch w = client.watch("users", seen);
    await().atMost(WAIT).until(() -> seen.calls.size() == 1);

    down.set(true);
    int before = node.count("/discovery/polls");
    await().atMost(WAIT).until(() -> node.count("/discovery/polls") >= before + 5);

    assertThat(w.current().orElseThrow().instances())
        .extracting(Instance::hostname)
        .containsExactly("u1");
    assertThat(client.fetch("users").instances())
        .as("fetch falls back to the watched state")
        .extracting(Instance::hostname)
        .containsExactly("u1");
    assertThat(seen.calls).hasSize(1);

    down.set(false);
    apps.put("users", 4, "u1", "u2");
    await().atMost(WAIT).until(() -> seen.calls.size() == 2);
    assertThat(seen.lastHostnames()).containsExactly("u1", "u2");
  }

  @Test
  void closedWatchHearsNothingMoreAndLeavesThePoll() {
    apps.put("a", 1, "a1");
    apps.put("b", 1, "b1");
    RosterClient client = client();
    Seen a = new Seen();
    Seen b = new Seen();
    Watch wa = client.watch("a", a);
    client.watch("b", b);
    await().atMost(WAIT).until(() -> a.calls.size() == 1 && b.calls.size() == 1);

    wa.close();
    int from = node.count("/discovery/polls");
    apps.put("a", 2, "a2");
    apps.put("b", 2, "b2");

    await().atMost(WAIT).until(() -> b.calls.size() == 2);
    assertThat(a.calls).hasSize(1);
    assertThat(wa.isClosed()).isTrue();
    List<StubNode.Request> polls = node.requests("/discovery/polls");
    assertThat(polls.get(polls.size() - 1).params("appid")).containsExactly("b");
    assertThat(polls.size()).isGreaterThan(from);
  }

  @Test
  void secondListenerStartsFromTheCurrentStateAndAFailingListenerHurtsNoOne() {
    apps.put("a", 1, "a1");
    RosterClient client = client();
    AtomicInteger failures = new AtomicInteger();
    client.watch(
        "a",
        now -> {
          failures.incrementAndGet();
          throw new IllegalStateException("listener bug");
        });
    await().atMost(WAIT).until(() -> failures.get() == 1);

    Seen second = new Seen();
    client.watch("a", second);
    await().atMost(WAIT).until(() -> second.calls.size() == 1);
    apps.put("a", 2, "a1", "a2");

    await().atMost(WAIT).until(() -> second.calls.size() == 2);
    assertThat(second.versions()).containsExactly(1L, 2L);
    assertThat(failures.get()).isEqualTo(2);
    assertThat(node.count("/discovery/fetchs"))
        .as("the app's state is not fetched again")
        .isEqualTo(1);
  }
}
