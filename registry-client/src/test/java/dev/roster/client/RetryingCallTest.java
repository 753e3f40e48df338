package dev.roster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The retry, redirect and deadline policy alone: scripted outcomes instead of HTTP, a manual clock
 * and timer instead of time, attempts run on the test's thread. Nothing sleeps.
 */
class RetryingCallTest {
  private static final URI A = URI.create("http://a:7171");
  private static final URI B = URI.create("http://b:7171");
  private static final URI C = URI.create("http://c:7171");
  private static final URI LEADER = URI.create("http://leader:7171");
  private static final Duration ATTEMPT = Duration.ofMillis(500);

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final ManualTimer timer = new ManualTimer();
  private final Nodes nodes =
      new Nodes(List.of(A, B, C), Duration.ofSeconds(1).toNanos(), clock::get, 0);
  private final List<URI> tried = new ArrayList<>();
  private final List<Duration> timeouts = new ArrayList<>();
  private Function<URI, Outcome> script = node -> unavailable();
  // the longest backoff each time ("equal jitter" draws its maximum): 100, 200, 400, 800, 1000 ms
  private Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), n -> n - 1);
  private int maxRedirects = 3;

  @Test
  void anAnswerFromTheFirstNodeEndsTheCall() {
    Reply ok = reply(Reply.OK);
    script = node -> Outcome.answer(ok);

    RetryingCall call = read(Duration.ofSeconds(5)).start();

    assertThat(call.result()).isCompletedWithValue(ok);
    assertThat(tried).containsExactly(A);
    assertThat(timer.delays).isEmpty();
  }

  @Test
  void notFoundAndNotModifiedAreAnswersNotFailures() {
    Reply notFound = reply(Reply.NOT_FOUND);
    script = node -> Outcome.answer(notFound);

    assertThat(read(Duration.ofSeconds(5)).start().result()).isCompletedWithValue(notFound);

    Reply notModified = reply(Reply.NOT_MODIFIED);
    script = node -> Outcome.answer(notModified);
    assertThat(read(Duration.ofSeconds(5)).start().result()).isCompletedWithValue(notModified);
    assertThat(timer.delays).isEmpty();
  }

  @Test
  void aWriteFollowsTheRedirectAtOnceAndRemembersTheLeader() {
    Reply ok = reply(Reply.OK);
    script = node -> node.equals(LEADER) ? Outcome.answer(ok) : Outcome.redirect(LEADER);

    RetryingCall call = write(Duration.ofSeconds(5)).start();

    assertThat(call.result()).isCompletedWithValue(ok);
    assertThat(tried).containsExactly(A, LEADER);
    assertThat(timer.delays).as("no backoff before following a redirect").isEmpty();
    assertThat(nodes.leader()).isEqualTo(LEADER);
    assertThat(nodes.all()).contains(LEADER);

    write(Duration.ofSeconds(5)).start();
    assertThat(tried).as("the next write goes straight to the leader").endsWith(LEADER, LEADER);
  }

  @Test
  void redirectsWithinTheHopLimitAreFollowed() {
    Reply ok = reply(Reply.OK);
    script =
        node ->
            node.equals(A)
                ? Outcome.redirect(B)
                : node.equals(B)
                    ? Outcome.redirect(C)
                    : node.equals(C) ? Outcome.redirect(LEADER) : Outcome.answer(ok);

    RetryingCall call = write(Duration.ofSeconds(5)).start();

    assertThat(call.result()).isCompletedWithValue(ok);
    assertThat(tried).containsExactly(A, B, C, LEADER);
  }

  @Test
  void aRedirectBeyondTheHopLimitIsOneFailureAndTheCallBacksOff() {
    maxRedirects = 2;
    script =
        node ->
            node.equals(A)
                ? Outcome.redirect(B)
                : node.equals(B) ? Outcome.redirect(C) : Outcome.redirect(A);

    RetryingCall call = write(Duration.ofMillis(150)).start();

    assertThat(tried).containsExactly(A, B, C);
    assertThat(timer.delays).containsExactly(100L);
    timer.runAll();
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessage(
            "POST /discovery/register failed on every node within 150 ms (2 attempts);"
                + " last problem: more than 2 redirects in a row (last to http://a:7171)");
  }

  @Test
  void aRedirectNamingNoLeaderIsAFailureOfThatNode() {
    Reply ok = reply(Reply.OK);
    script = node -> node.equals(A) ? Outcome.redirect(null) : Outcome.answer(ok);

    RetryingCall call = read(Duration.ofSeconds(5)).start();
    timer.runAll();

    assertThat(call.result()).isCompletedWithValue(ok);
    assertThat(tried).containsExactly(A, B);
    assertThat(timer.delays).containsExactly(100L);
  }

  @Test
  void anUnavailableNodeIsRetriedOnAnotherNodeAfterABackoff() {
    Reply ok = reply(Reply.OK);
    script = node -> node.equals(A) ? unavailable() : Outcome.answer(ok);

    RetryingCall call = read(Duration.ofSeconds(5)).start();

    assertThat(call.result()).isNotDone();
    assertThat(tried).containsExactly(A);
    timer.runAll();
    assertThat(call.result()).isCompletedWithValue(ok);
    assertThat(tried).containsExactly(A, B);
    assertThat(timer.delays).containsExactly(100L);
  }

  @Test
  void backoffsDoubleUpToTheMaximumUntilTheDeadlineLeavesNoRoomForAnother() {
    RetryingCall call = read(Duration.ofSeconds(5)).start();
    timer.runAll();

    // 100 + 200 + 400 + 800 + 1000 + 1000 + 1000 = 4500 ms; one more 1000 ms would pass 5000
    assertThat(timer.delays).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
    assertThat(tried).hasSize(8);
    assertThat(tried.subList(0, 3))
        .as("every node once before any twice")
        .containsExactlyInAnyOrder(A, B, C);
    for (int i = 1; i < tried.size(); i++) {
      assertThat(tried.get(i)).as("attempt %d", i + 1).isNotEqualTo(tried.get(i - 1));
    }
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessageStartingWith(
            "GET /discovery/fetch failed on every node within 5000 ms"
                + " (8 attempts); last problem: "
                + tried.get(7)
                + ": -503 no leader");
  }

  @Test
  void whenTheLastAttemptTimesOutTheProblemBeforeItIsReportedToo() {
    // a refused handshake on A, then attempts that time out (the deadline cuts the last one short)
    script =
        node ->
            node.equals(A)
                ? Outcome.unavailable(
                    "SSLHandshakeException: Received fatal alert: bad_certificate",
                    new javax.net.ssl.SSLHandshakeException("bad_certificate"))
                : Outcome.unavailable(
                    "timed out (no complete answer within 500 ms)",
                    new java.net.http.HttpTimeoutException("no complete answer within 500 ms"));

    // A at 0 ms, then B and C after 100 and 200 ms; the next 400 ms wait would pass 600
    RetryingCall call = read(Duration.ofMillis(600)).start();
    timer.runAll();

    assertThat(tried).containsExactly(A, B, C);
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessageContaining("last problem: " + tried.get(tried.size() - 1) + ": timed out")
        .hasMessageEndingWith(
            "; before that: "
                + A
                + ": SSLHandshakeException: Received fatal alert: bad_certificate");
  }

  @Test
  void aLastProblemThatIsNoTimeoutIsReportedAlone() {
    RetryingCall call = read(Duration.ofMillis(900)).start();
    timer.runAll();

    assertThatThrownBy(() -> call.result().join())
        .cause()
        .hasMessageEndingWith(": -503 no leader")
        .message()
        .doesNotContain("before that");
  }

  @Test
  void backoffsAreJitteredToAtLeastHalf() {
    backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), n -> 0);

    read(Duration.ofSeconds(5)).start();
    timer.runNext();
    timer.runNext();
    timer.runNext();

    assertThat(timer.delays).startsWith(50L, 100L, 200L);
  }

  @Test
  void theLastAttemptGetsOnlyWhatIsLeftOfTheDeadline() {
    backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), n -> 0);
    HttpTimeoutException timedOut = new HttpTimeoutException("no answer");
    script =
        node -> {
          clock.addAndGet(timeouts.get(timeouts.size() - 1).toNanos()); // each attempt times out
          return Outcome.unavailable("timed out", timedOut);
        };

    RetryingCall call = read(Duration.ofMillis(600)).start();
    timer.runAll();

    // 500 ms attempt, 50 ms backoff, then the 50 ms the deadline leaves
    assertThat(timeouts).containsExactly(ATTEMPT, Duration.ofMillis(50));
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessageContaining("within 600 ms (2 attempts)")
        .hasCause(timedOut);
  }

  @Test
  void aCallStartedPastItsDeadlineGivesUpWithoutAnAttempt() {
    RetryingCall call = read(Duration.ofMillis(100));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    call.start();

    assertThat(tried).isEmpty();
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessage(
            "GET /discovery/fetch failed on every node within 100 ms (0 attempts);"
                + " last problem: no attempt was made");
  }

  @Test
  void aRefusedRequestIsNotRetried() {
    script = node -> Outcome.refused(-400, "parameter 'hostname' is required");

    RetryingCall call = write(Duration.ofSeconds(5)).start();

    assertThat(tried).containsExactly(A);
    assertThat(timer.delays).isEmpty();
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterRequestException.class)
        .hasMessage(
            "POST /discovery/register refused by http://a:7171:"
                + " parameter 'hostname' is required")
        .satisfies(e -> assertThat(((RosterException) e).code()).isEqualTo(-400));
  }

  @Test
  void anUnexpectedAnswerIsNotRetried() {
    script = node -> Outcome.unexpected(-302, "HTTP 200, code -302 moved");

    RetryingCall call = read(Duration.ofSeconds(5)).start();

    assertThat(tried).containsExactly(A);
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isExactlyInstanceOf(RosterException.class)
        .hasMessage(
            "GET /discovery/fetch: unexpected answer from http://a:7171:"
                + " HTTP 200, code -302 moved")
        .satisfies(e -> assertThat(((RosterException) e).code()).isEqualTo(-302));
  }

  @Test
  void aClosedExchangeEndsTheCallUnavailable() {
    script = node -> Outcome.closed();

    RetryingCall call = read(Duration.ofSeconds(5)).start();

    assertClosed(call);
    assertThat(timer.delays).isEmpty();
  }

  @Test
  void aTimerThatRejectsTheRetryEndsTheCallUnavailable() {
    timer.rejecting = true;

    RetryingCall call = read(Duration.ofSeconds(5)).start();

    assertThat(tried).containsExactly(A);
    assertClosed(call);
  }

  @Test
  void anExchangeThatThrowsFailsTheCallWithoutRetrying() {
    script =
        node -> {
          throw new IllegalStateException("bug");
        };

    RetryingCall call = read(Duration.ofSeconds(5)).start();

    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isExactlyInstanceOf(RosterException.class)
        .hasMessage("GET /discovery/fetch: java.lang.IllegalStateException: bug");
    assertThat(timer.delays).isEmpty();
  }

  @Test
  void failFastAsksEveryNodeOnceWithoutBackoffThenGivesUpBeforeTheDeadline() {
    RetryingCall call = call(false, Duration.ofSeconds(5), true).start();
    timer.runAll();

    assertThat(tried).containsExactlyInAnyOrder(A, B, C);
    assertThat(timer.delays).containsExactly(0L, 0L);
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessageContaining("within 5000 ms (3 attempts)");
  }

  @Test
  void stopRetryingDuringABackoffCancelsTheCall() {
    RetryingCall call = read(Duration.ofSeconds(5)).start();

    call.stopRetrying();
    timer.runAll();

    assertThat(call.result()).isCancelled();
    assertThat(tried).containsExactly(A);
  }

  @Test
  void stopRetryingLetsTheAttemptInFlightFinish() {
    Reply ok = reply(Reply.OK);
    List<RetryingCall> calls = new ArrayList<>();
    script =
        node -> {
          calls.get(0).stopRetrying();
          return Outcome.answer(ok);
        };
    RetryingCall call = write(Duration.ofSeconds(5));
    calls.add(call);

    call.start();

    assertThat(call.result()).isCompletedWithValue(ok);
  }

  @Test
  void stopRetryingDuringAnAttemptThatFailsCancelsInsteadOfRetrying() {
    List<RetryingCall> calls = new ArrayList<>();
    script =
        node -> {
          calls.get(0).stopRetrying();
          return unavailable();
        };
    RetryingCall call = write(Duration.ofSeconds(5));
    calls.add(call);

    call.start();

    assertThat(call.result()).isCancelled();
    assertThat(timer.delays).isEmpty();
  }

  @Test
  void abortDuringABackoffCancelsTheRetry() {
    RetryingCall call = read(Duration.ofSeconds(5)).start();

    call.abort();
    timer.runAll();

    assertThat(call.result()).isCancelled();
    assertThat(tried).containsExactly(A);
  }

  @Test
  void aWriteAfterTheLeaderFailedAsksAnotherNode() {
    Reply ok = reply(Reply.OK);
    nodes.leaderIs(LEADER);
    script =
        node ->
            node.equals(LEADER)
                ? Outcome.unavailable("ConnectException", new ConnectException())
                : Outcome.answer(ok);

    RetryingCall call = write(Duration.ofSeconds(5)).start();
    timer.runAll();

    assertThat(call.result()).isCompletedWithValue(ok);
    assertThat(tried.get(0)).isEqualTo(LEADER);
    assertThat(tried.get(1)).isNotEqualTo(LEADER);
    assertThat(nodes.leader()).as("the node that took the write").isEqualTo(tried.get(1));
  }

  private void assertClosed(RetryingCall call) {
    assertThatThrownBy(() -> call.result().join())
        .cause()
        .isInstanceOf(RosterUnavailableException.class)
        .hasMessage("the client is closed");
  }

  private RetryingCall read(Duration deadline) {
    return call(false, deadline, false);
  }

  private RetryingCall write(Duration deadline) {
    return call(true, deadline, false);
  }

  private RetryingCall call(boolean write, Duration deadline, boolean failFast) {
    String path = write ? "/discovery/register" : "/discovery/fetch";
    Exchange exchange =
        new Exchange() {
          @Override
          public Outcome send(Call call, URI node, Duration timeout, Sending sending) {
            tried.add(node);
            timeouts.add(timeout);
            return script.apply(node);
          }

          @Override
          public void close() {}
        };
    RetryingCall.Context context =
        new RetryingCall.Context(nodes, exchange, timer, backoff, maxRedirects, clock::get);
    return new RetryingCall(
        context, new Call(write, path, new Form(), ATTEMPT), deadline, failFast, Runnable::run);
  }

  private static Outcome unavailable() {
    return Outcome.unavailable("-503 no leader", null);
  }

  private static Reply reply(int code) {
    return new Reply(code, "", JsonNodeFactory.instance.objectNode());
  }

  /** Runs each retry when the test says, moving the clock on by its delay first. */
  private final class ManualTimer implements RetryingCall.Timer {
    final List<Long> delays = new ArrayList<>();
    private final Deque<Runnable> pending = new ArrayDeque<>();
    private final Deque<Long> pendingDelays = new ArrayDeque<>();
    private final Deque<CompletableFuture<Void>> handles = new ArrayDeque<>();
    boolean rejecting;

    @Override
    public Future<?> schedule(Runnable task, long delayMillis) {
      if (rejecting) {
        throw new RejectedExecutionException("closed");
      }
      delays.add(delayMillis);
      CompletableFuture<Void> handle = new CompletableFuture<>();
      pending.add(task);
      pendingDelays.add(delayMillis);
      handles.add(handle);
      return handle;
    }

    void runNext() {
      Runnable task = pending.remove();
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(pendingDelays.remove()));
      if (handles.remove().complete(null)) { // not cancelled
        task.run();
      }
    }

    void runAll() {
      for (int i = 0; i < 1000 && !pending.isEmpty(); i++) {
        runNext();
      }
      assertThat(pending).as("retries left after 1000").isEmpty();
    }
  }
}
