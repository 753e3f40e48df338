package dev.roster.client;

import static dev.roster.client.Clients.fast;
import static dev.roster.client.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.roster.client.StubNode.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redirects, retries, backoff and deadlines against scripted nodes. */
class FailoverTest {
  @RegisterExtension final Started started = new Started();

  private StubNode node() {
    return started.node();
  }

  private RosterClient client(RosterClient.Builder b) {
    return started.client(b);
  }

  @Test
  void writeToAFollowerFollowsTheRedirectAndRemembersTheLeader() {
    StubNode leader = node().actingAsLeader();
    StubNode follower = node().redirectingWritesTo(leader.url());
    RosterClient client = client(fast(follower.url()).renewInterval(Duration.ofMillis(50)));

    Registration r = client.register(instance("billing", "h1"));

    assertThat(r.instance().hostname()).isEqualTo("h1");
    assertThat(follower.count("/discovery/register")).isEqualTo(1);
    assertThat(leader.count("/discovery/register")).isEqualTo(1);
    assertThat(leader.requests("/discovery/register").get(0).params("addrs"))
        .containsExactly("http://10.0.0.7:8080");
    await().atMost(Duration.ofSeconds(5)).until(() -> leader.count("/discovery/renew") >= 3);
    assertThat(follower.count("/discovery/renew"))
        .as("renews go straight to the remembered leader")
        .isZero();
  }

  @Test
  void redirectChainWithinTheHopLimitSucceeds() {
    StubNode d = node().actingAsLeader();
    StubNode c = node().redirectingWritesTo(d.url());
    StubNode b = node().redirectingWritesTo(c.url());
    StubNode a = node().redirectingWritesTo(b.url());
    RosterClient client = client(fast(a.url()).maxRedirects(3));

    client.register(instance("billing", "h1"));

    assertThat(d.count("/discovery/register")).isEqualTo(1);
  }

  @Test
  void redirectChainBeyondTheHopLimitIsCutAndEndsUnavailableAtTheDeadline() {
    StubNode a = node();
    StubNode b = node();
    a.redirectingWritesTo(b.url());
    b.redirectingWritesTo(a.url()); // a leader that never settles
    RosterClient client = client(fast(a.url()).maxRedirects(2).deadline(Duration.ofSeconds(1)));

    long start = System.nanoTime();
    // the last attempt is either a chain cut at the hop limit or, on a busy machine, one the
    // deadline cut short; that chains were cut is shown by their count below
    assertThatThrownBy(() -> client.register(instance("billing", "h1")))
        .isInstanceOf(RosterUnavailableException.class)
        .satisfies(
            e -> assertThat(e.getMessage()).containsAnyOf("more than 2 redirects", "timed out"));
    assertThat(elapsedMs(start))
        .as("bounded by the deadline (1 s), with slack for a busy machine")
        .isLessThan(2000);
    int chains = a.count("/discovery/register") + b.count("/discovery/register");
    assertThat(chains).isGreaterThanOrEqualTo(3).isLessThan(60);
    assertThat(a.calls()).extracting(StubNode.Request::path).doesNotContain("/discovery/renew");
  }

  @Test
  void unavailableNodeIsRetriedOnTheNextNode() {
    StubNode busy = node().on("/discovery/fetch", r -> Answer.unavailable());
    StubNode good =
        node().on("/discovery/fetch", r -> Answer.ok(StubNode.appData("users", 5, "u1")));
    RosterClient client = client(fast(busy.url(), good.url()));

    for (int i = 0; i < 4; i++) {
      assertThat(client.fetch("users").instances())
          .extracting(Instance::hostname)
          .containsExactly("u1");
    }
    assertThat(good.count("/discovery/fetch")).isEqualTo(4);
    assertThat(busy.count("/discovery/fetch"))
        .as("a node that just failed is skipped for a while")
        .isLessThanOrEqualTo(1);
  }

  @Test
  void refusedConnectionFailsOverToTheNextNode() {
    StubNode good = node().actingAsLeader();
    // the refusal is immediate; a generous request timeout keeps a slow first answer on a loaded
    // machine from being retried, which would count two registers
    RosterClient client =
        client(
            fast(StubNode.deadUrl(), good.url())
                .requestTimeout(Duration.ofSeconds(5))
                .deadline(Duration.ofSeconds(10)));

    client.register(instance("billing", "h1"));

    assertThat(good.count("/discovery/register")).isEqualTo(1);
  }

  @Test
  void slowNodeTimesOutAndTheNextAnswers() {
    // the slow node holds every request until the end of the test: only a client that gave up on
    // it (request timeout 300 ms) and asked the next node gets the good node's answer
    CountDownLatch release = new CountDownLatch(1);
    StubNode slow =
        node()
            .on(
                "/discovery/fetch",
                r -> {
                  release.await(30, TimeUnit.SECONDS);
                  return Answer.ok(StubNode.appData("users", 1));
                });
    StubNode good =
        node().on("/discovery/fetch", r -> Answer.ok(StubNode.appData("users", 5, "u1")));
    RosterClient client =
        client(fast(slow.url(), good.url()).requestTimeout(Duration.ofMillis(300)));

    for (int i = 0; i < 2; i++) {
      assertThat(client.fetch("users").latestTimestamp()).isEqualTo(5);
    }
    assertThat(release.getCount()).as("the slow node has not answered yet").isEqualTo(1);
    release.countDown();
  }

  @Test
  void anAnswerWhoseBodyStallsIsCutByTheGuardAndFreesItsThread() throws Exception {
    // HttpRequest.timeout ends at the headers; this node sends them and then only part of the body
    ServerSocket stalling = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    started.closeAfter(stalling);
    Thread acceptor =
        new Thread(
            () -> {
              List<Socket> held = new ArrayList<>();
              try {
                while (true) {
                  Socket s = stalling.accept();
                  held.add(s);
                  String head =
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          + "Content-Length: 1000\r\n\r\n";
                  s.getOutputStream()
                      .write((head + "{\"code\":0,").getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                }
              } catch (IOException e) {
                held.forEach(
                    h -> {
                      try {
                        h.close();
                      } catch (IOException ignored) {
                        // closing the test
                      }
                    });
              }
            },
            "stalling-node");
    acceptor.setDaemon(true);
    acceptor.start();
    StubNode good =
        node().on("/discovery/fetch", r -> Answer.ok(StubNode.appData("users", 5, "u1")));
    RosterClient client =
        client(
            fast("http://127.0.0.1:" + stalling.getLocalPort(), good.url())
                .requestTimeout(Duration.ofMillis(300))
                .ioThreads(1));

    long start = System.nanoTime();
    for (int i = 0; i < 2; i++) { // round-robin: one of the two fetches starts on the stalling node
      assertThat(client.fetch("users").latestTimestamp()).isEqualTo(5);
    }
    // the one I/O thread was blocked on the stalling node:
    // request timeout + the guard's 1 s frees it
    assertThat(elapsedMs(start)).isBetween(1000L, 4000L);
  }

  @Test
  void retriesBackOffExponentiallyUntilTheDeadlineThenFailTyped() {
    StubNode a = node().on("/discovery/fetch", r -> Answer.unavailable());
    StubNode b = node().on("/discovery/fetch", r -> Answer.unavailable());
    RosterClient client =
        client(
            fast(a.url(), b.url())
                .backoffMin(Duration.ofMillis(40))
                .backoffMax(Duration.ofMillis(320))
                .deadline(Duration.ofMillis(1500)));

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.fetch("users"))
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessageContaining("failed on every node within 1500 ms")
        // the last problem is the nodes' -503, or on a busy
        // machine an attempt the deadline cut short
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("-503 no leader", "timed out"));
    assertThat(elapsedMs(start))
        .as("bounded by the deadline, with slack for a busy machine")
        .isLessThan(1500 + 1000);

    List<Long> times = new ArrayList<>();
    a.requests("/discovery/fetch").forEach(r -> times.add(r.nanos()));
    b.requests("/discovery/fetch").forEach(r -> times.add(r.nanos()));
    times.sort(null);
    // waits are jittered to 50–100 % of 40, 80, 160, 320,
    // 320... ms: never shorter than half of that
    long expected = 40;
    for (int i = 1; i < times.size(); i++) {
      long gapMs = (times.get(i) - times.get(i - 1)) / 1_000_000;
      assertThat(gapMs)
          .as("wait before attempt %d", i + 1)
          .isGreaterThanOrEqualTo(expected / 2 - 5);
      expected = Math.min(expected * 2, 320);
    }
    assertThat(times.size()).isBetween(4, 12);
  }

  @Test
  void everyNodeRefusingEndsUnavailableAtTheDeadline() {
    RosterClient client =
        client(fast(StubNode.deadUrl(), StubNode.deadUrl()).deadline(Duration.ofMillis(800)));

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.register(instance("billing", "h1")))
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessageContaining("POST /discovery/register failed on every node within 800 ms")
        // the last problem is the refused connection, or on a busy
        // machine an attempt the deadline cut short
        .satisfies(
            e -> assertThat(e.getMessage()).containsAnyOf("ConnectException", "connect timed out"));
    assertThat(elapsedMs(start)).isBetween(300L, 800L + 1000);
  }

  @Test
  void badRequestIsNotRetried() {
    StubNode a =
        node()
            .on("/discovery/register", r -> Answer.code(-400, "parameter 'hostname' is required"));
    RosterClient client = client(fast(a.url()));

    assertThatThrownBy(() -> client.register(instance("billing", "h1")))
        .isInstanceOf(RosterRequestException.class)
        .hasMessageContaining("'hostname' is required")
        .satisfies(e -> assertThat(((RosterException) e).code()).isEqualTo(-400));
    assertThat(a.count("/discovery/register")).isEqualTo(1);
  }

  @Test
  void fetchOfAnUnknownApplicationIsNotFound() {
    StubNode a = node();
    RosterClient client = client(fast(a.url()));

    assertThatThrownBy(() -> client.fetch("nobody"))
        .isInstanceOf(RosterNotFoundException.class)
        .hasMessageContaining("nobody");
    assertThat(a.count("/discovery/fetch")).isEqualTo(1);
  }

  @Test
  void fetchSendsTheQueryAndSortsInstances() {
    StubNode a =
        node().on("/discovery/fetch", r -> Answer.ok(StubNode.appData("users", 9, "u2", "u1")));
    RosterClient client = client(fast(a.url()));

    AppInstances got =
        client.fetch(Query.app("users").status(Status.UP, Status.WAITING).zone("z1"));

    assertThat(got.instances()).extracting(Instance::hostname).containsExactly("u1", "u2");
    assertThat(got.instances().get(0).addrs()).containsExactly("http://u1:80");
    StubNode.Request sent = a.requests("/discovery/fetch").get(0);
    assertThat(sent.method()).isEqualTo("GET");
    assertThat(sent.param("env")).isEqualTo("test");
    assertThat(sent.param("zone")).isEqualTo("z1");
    assertThat(sent.param("status")).isEqualTo("3");
  }

  @Test
  void fetchServesTheLastAnswerWhenNoNodeAnswers() {
    AtomicInteger mode = new AtomicInteger();
    StubNode a =
        node()
            .on(
                "/discovery/fetch",
                r ->
                    mode.get() == 0
                        ? Answer.ok(StubNode.appData("users", 5, "u1"))
                        : Answer.unavailable());
    RosterClient client = client(fast(a.url()).deadline(Duration.ofMillis(1500)));
    client.fetch("users");
    mode.set(1);

    long start = System.nanoTime();
    AppInstances cached = client.fetch("users");

    assertThat(cached.instances()).extracting(Instance::hostname).containsExactly("u1");
    assertThat(elapsedMs(start))
        .as("gives up once every node failed, not at the deadline (1.5 s)")
        .isLessThan(1000);
    assertThatThrownBy(() -> client.fetch(Query.app("users").zone("z9")))
        .as("no cached answer for another query")
        .isInstanceOf(RosterUnavailableException.class);
  }

  @Test
  void cachedFetchWithEveryNodeDownAsksEachNodeOnceThenServesTheCache() {
    AtomicInteger mode = new AtomicInteger();
    List<StubNode> three = List.of(node(), node(), node());
    for (StubNode n : three) {
      n.on(
          "/discovery/fetch",
          r ->
              mode.get() == 0
                  ? Answer.ok(StubNode.appData("users", 5, "u1"))
                  : Answer.unavailable());
    }
    RosterClient client =
        client(
            fast(three.get(0).url(), three.get(1).url(), three.get(2).url())
                .requestTimeout(Duration.ofSeconds(2))
                .deadline(Duration.ofSeconds(6))
                .backoffMax(Duration.ofSeconds(2)));
    client.fetch("users");
    mode.set(1);
    // every node now penalised: the choice by penalty alone bounced between two of them
    assertThatThrownBy(() -> client.fetch(Query.app("users").zone("z9")).instances())
        .isInstanceOf(RosterUnavailableException.class);
    int before = three.stream().mapToInt(n -> n.count("/discovery/fetch")).sum();

    long start = System.nanoTime();
    AppInstances cached = client.fetch("users");

    assertThat(cached.instances()).extracting(Instance::hostname).containsExactly("u1");
    assertThat(three.stream().mapToInt(n -> n.count("/discovery/fetch")).sum() - before)
        .as("one attempt per node, then the cache")
        .isEqualTo(3);
    // three immediate -503s and no backoff in between: far below the 6 s deadline
    assertThat(elapsedMs(start)).isLessThan(2000);
  }

  @Test
  void cachedFetchWithEveryConnectionRefusedServesTheCacheAtOnce() {
    StubNode a = node().on("/discovery/fetch", r -> Answer.ok(StubNode.appData("users", 5, "u1")));
    RosterClient client =
        client(
            fast(a.url(), StubNode.deadUrl(), StubNode.deadUrl())
                .requestTimeout(Duration.ofSeconds(2))
                .deadline(Duration.ofSeconds(6))
                .backoffMax(Duration.ofSeconds(2)));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              client.fetch("users");
              return a.count("/discovery/fetch") > 0;
            });
    a.close();

    long start = System.nanoTime();
    AppInstances cached = client.fetch("users");

    assertThat(cached.latestTimestamp()).isEqualTo(5);
    // refused connects on loopback, no backoff between untried nodes: well under the 6 s deadline
    assertThat(elapsedMs(start)).isLessThan(2000);
  }

  @Test
  void uncachedFetchWithEveryNodeDownFailsAtItsOwnDeadline() {
    RosterClient client =
        client(
            fast(StubNode.deadUrl(), StubNode.deadUrl(), StubNode.deadUrl())
                .deadline(Duration.ofSeconds(1)));

    assertThatThrownBy(() -> client.fetch("users"))
        .isInstanceOf(RosterUnavailableException.class)
        // the operation's own verdict at its deadline, not the sync caller's outer bound
        .hasMessageContaining("GET /discovery/fetch failed on every node within 1000 ms");
  }

  @Test
  void anOlderRegistrysHttpStatusesCarryingTheCodeStillWork() {
    StubNode old =
        node()
            .on("/discovery/fetch", r -> Answer.legacy(-404, 404, "application users not found"))
            .on("/discovery/register", r -> Answer.legacy(-400, 400, "param 'addrs' is required"));
    StubNode busy = node().on("/discovery/fetch", r -> Answer.legacy(-503, 503, "no leader"));
    RosterClient client = client(fast(busy.url(), old.url()));
    // the first node-list refresh takes its turn in the round-robin first: between the two
    // fetches it would send both to the same node
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> busy.count("/discovery/nodes") + old.count("/discovery/nodes") > 0);

    assertThatThrownBy(() -> client.fetch("users")).isInstanceOf(RosterNotFoundException.class);
    assertThatThrownBy(() -> client.fetch("users")).isInstanceOf(RosterNotFoundException.class);
    assertThat(busy.count("/discovery/fetch"))
        .as("HTTP 503 + -503 is retried on the next node")
        .isPositive();
    assertThatThrownBy(() -> client.register(instance("billing", "h1")))
        .isInstanceOf(RosterRequestException.class)
        .hasMessageContaining("'addrs' is required");
  }

  @Test
  void theEnvelopeCodeDecidesNotTheHttpStatus() {
    StubNode a =
        node()
            .on("/discovery/fetch", r -> Answer.code(-503, "no leader"))
            .on("/discovery/register", r -> Answer.code(-413, "body too large"));
    StubNode b =
        node()
            .on("/discovery/fetch", r -> Answer.ok(StubNode.appData("users", 5, "u1")))
            .on("/discovery/register", r -> Answer.code(-413, "body too large"));
    RosterClient client = client(fast(a.url(), b.url()));

    assertThat(client.fetch("users").latestTimestamp()).isEqualTo(5);
    assertThat(client.fetch("users").latestTimestamp()).isEqualTo(5);
    assertThat(a.count("/discovery/fetch") + b.count("/discovery/fetch"))
        .as("a's -503 was retried on b")
        .isLessThanOrEqualTo(3);
    assertThatThrownBy(() -> client.register(instance("billing", "h1")))
        .isInstanceOf(RosterRequestException.class)
        .satisfies(e -> assertThat(((RosterException) e).code()).isEqualTo(-413));
  }

  @Test
  void aBare502WithoutEnvelopeIsATransientFailure() {
    AtomicInteger asked = new AtomicInteger();
    StubNode behindProxy =
        node()
            .on(
                "/discovery/fetch",
                r ->
                    asked.incrementAndGet() == 1
                        ? Answer.bare(502, "<html>502 Bad Gateway</html>")
                        : Answer.ok(StubNode.appData("users", 5, "u1")));
    RosterClient client = client(fast(behindProxy.url()));

    assertThat(client.fetch("users").latestTimestamp()).isEqualTo(5);
    assertThat(asked.get()).as("the 502 was retried, not thrown").isEqualTo(2);
  }

  @Test
  void nodeListIsRefreshedFromTheCluster() {
    StubNode other = node().actingAsLeader();
    String otherAddr = other.url().substring("http://".length());
    StubNode seed =
        node()
            .on(
                "/discovery/nodes",
                r ->
                    Answer.ok(
                        List.of(
                            Map.of(
                                "addr", otherAddr, "zone", "z1", "status", 0, "role", "leader"))));
    RosterClient client = client(fast(seed.url()));

    await().atMost(Duration.ofSeconds(20)).until(() -> client.nodes().contains(other.url()));
    client.register(instance("billing", "h1"));

    assertThat(other.count("/discovery/register"))
        .as("the reported leader takes the write")
        .isEqualTo(1);
    assertThat(seed.count("/discovery/register")).isZero();
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
