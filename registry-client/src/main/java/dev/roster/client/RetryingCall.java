package dev.roster.client;

import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry, redirect and deadline policy of one call: picks the node of each attempt, hands the
 * attempt to the {@link Exchange}, and decides on its {@link Outcome}. It follows redirects to the
 * leader (at most {@code maxRedirects} hops in a row); on a node unavailable it waits an
 * exponential, jittered backoff and tries the next node; it ends with the answer (code 0, -304 or
 * -404), or with a {@link RosterException} saying why: refused, unexpected, closed, or unavailable
 * once the deadline leaves no time for another attempt.
 *
 * <p>Attempts run on the {@code caller} executor; the timer only hands retries back to it, so that
 * continuations never run on (and never hold up) the timer's thread.
 */
final class RetryingCall {
  private static final Logger log = LoggerFactory.getLogger(RetryingCall.class);

  /** Runs a task after a delay: the client's scheduler thread, or a manual clock in tests. */
  @FunctionalInterface
  interface Timer {
    /**
     * @throws RejectedExecutionException once the client is closed
     */
    Future<?> schedule(Runnable task, long delayMillis);
  }

  /**
   * What every call of one client shares.
   *
   * @param clock {@link System#nanoTime}, or a manual clock in tests
   */
  record Context(
      Nodes nodes,
      Exchange exchange,
      Timer timer,
      Backoff backoff,
      int maxRedirects,
      LongSupplier clock) {}

  private final Context context;
  private final Nodes nodes;
  private final Call call;
  private final Duration deadline;
  private final long deadlineNanos;
  private final boolean failFast;
  private final Executor caller;
  private final CompletableFuture<Reply> result = new CompletableFuture<>();
  private final Set<URI> failedNodes = ConcurrentHashMap.newKeySet();
  private volatile boolean stopRetrying;
  private volatile Sending sending;
  private volatile Future<?> retry;
  // written by one attempt at a time; attempts are handed over through executors (happens-before)
  private int failures;
  private String lastProblem = "no attempt was made";
  private Throwable lastCause;
  // the latest problem that was not a timeout: an attempt the deadline cut short times out, and
  // that says less than the refused handshake or connection before it
  private String lastProblemNotTimeout;

  /**
   * A call that ends at the latest {@code deadline} from now. With {@code failFast} it moves on to
   * a node it has not tried yet without a backoff and gives up as soon as every known node has
   * failed once (the caller has a cached answer to fall back on, so waiting for the deadline only
   * delays it). Nothing is sent before {@link #start()}.
   *
   * @param caller runs the attempts (blocked in the exchange) and completes the result
   */
  RetryingCall(Context context, Call call, Duration deadline, boolean failFast, Executor caller) {
    this.context = context;
    this.nodes = context.nodes();
    this.call = call;
    this.deadline = deadline;
    this.deadlineNanos = context.clock().getAsLong() + deadline.toNanos();
    this.failFast = failFast;
    this.caller = caller;
  }

  /** Picks the first node and starts the first attempt on the caller executor. */
  RetryingCall start() {
    // picked here, not on the caller thread: round-robin follows the order calls are started in
    URI first = nodes.pick(call.write(), null, failedNodes);
    onCaller(() -> attempt(first, 0));
    return this;
  }

  /** Completes with a reply of code 0, -304 or -404, or fails with a {@link RosterException}. */
  CompletableFuture<Reply> result() {
    return result;
  }

  /**
   * Lets the attempt in flight finish but starts no other; if it fails, the result is cancelled.
   */
  void stopRetrying() {
    stopRetrying = true;
    Future<?> r = retry;
    if (r != null && r.cancel(false)) {
      result.cancel(false);
    }
  }

  /** Stops now, aborting the attempt in flight (for reads: nothing is left half-done). */
  void abort() {
    stopRetrying = true;
    result.cancel(false);
    Future<?> r = retry;
    if (r != null) {
      r.cancel(false);
    }
    Sending s = sending;
    if (s != null) {
      s.interrupt(false);
    }
  }

  private void attempt(URI node, int hops) {
    if (result.isDone()) {
      return;
    }
    if (stopRetrying) {
      result.cancel(false);
      return;
    }
    long remaining = deadlineNanos - context.clock().getAsLong();
    if (remaining <= 0) {
      giveUp();
      return;
    }
    Duration left = Duration.ofNanos(remaining);
    Duration timeout = call.attemptTimeout().compareTo(left) < 0 ? call.attemptTimeout() : left;
    Sending s = new Sending(Thread.currentThread());
    sending = s;
    if (result.isDone()) { // aborted before abort() could see this attempt
      s.finished();
      return;
    }
    try {
      Outcome outcome;
      try {
        outcome = context.exchange().send(call, node, timeout, s);
      } finally {
        s.finished();
        sending = null;
      }
      decide(node, hops, outcome);
    } catch (RuntimeException e) {
      result.completeExceptionally(new RosterException(call + ": " + e, e));
    }
  }

  private void decide(URI node, int hops, Outcome outcome) {
    if (result.isDone()) {
      return;
    }
    // a switch expression: a new kind of outcome fails to compile until it is decided here
    Runnable next =
        switch (outcome.kind()) {
          case ANSWER -> () -> answered(node, outcome.reply());
          case REDIRECT -> () -> redirect(node, hops, outcome);
          case UNAVAILABLE -> () -> transientFailure(node, outcome.problem(), outcome.cause());
          case REFUSED ->
              () ->
                  result.completeExceptionally(
                      new RosterRequestException(
                          outcome.code(), call + " refused by " + node + ": " + outcome.problem()));
          case UNEXPECTED ->
              () ->
                  result.completeExceptionally(
                      new RosterException(
                          outcome.code(),
                          call + ": unexpected answer from " + node + ": " + outcome.problem(),
                          null));
          case CLOSED -> this::closed;
        };
    next.run();
  }

  private void answered(URI node, Reply reply) {
    nodes.succeeded(node);
    if (call.write()) {
      nodes.leaderIs(node); // only the leader applies writes
    }
    result.complete(reply);
  }

  private void redirect(URI from, int hops, Outcome outcome) {
    URI leader = outcome.leader();
    if (leader == null) {
      transientFailure(from, outcome.problem(), null);
      return;
    }
    nodes.leaderIs(leader);
    int max = context.maxRedirects();
    if (hops >= max) {
      transientFailure(
          null, "more than " + max + " redirects in a row (last to " + leader + ")", null);
      return;
    }
    attempt(leader, hops + 1);
  }

  private void transientFailure(URI node, String problem, Throwable cause) {
    failures++;
    lastProblem = (node == null ? "" : node + ": ") + problem;
    lastCause = cause;
    if (!(cause instanceof HttpTimeoutException)) {
      lastProblemNotTimeout = lastProblem;
    }
    if (node != null) {
      nodes.failed(node);
      failedNodes.add(node);
    }
    log.debug("{} attempt {} failed: {}", call, failures, lastProblem);
    if (stopRetrying) {
      result.cancel(false);
      return;
    }
    if (failFast && failedNodes.containsAll(nodes.all())) {
      giveUp();
      return;
    }
    URI next = nodes.pick(call.write(), node, failedNodes);
    long delay = failFast && !failedNodes.contains(next) ? 0 : context.backoff().millis(failures);
    if (context.clock().getAsLong() + TimeUnit.MILLISECONDS.toNanos(delay) >= deadlineNanos) {
      giveUp();
      return;
    }
    try {
      retry = context.timer().schedule(() -> onCaller(() -> attempt(next, 0)), delay);
    } catch (RejectedExecutionException e) {
      closed();
    }
  }

  private void onCaller(Runnable task) {
    try {
      caller.execute(task);
    } catch (RejectedExecutionException e) {
      closed();
    }
  }

  private void closed() {
    result.completeExceptionally(new RosterUnavailableException("the client is closed", null));
  }

  private void giveUp() {
    result.completeExceptionally(
        new RosterUnavailableException(
            call
                + " failed on every node within "
                + deadline.toMillis()
                + " ms ("
                + failures
                + (failures == 1 ? " attempt" : " attempts")
                + "); last problem: "
                + lastProblem
                + (lastCause instanceof HttpTimeoutException && lastProblemNotTimeout != null
                    ? "; before that: " + lastProblemNotTimeout
                    : ""),
            lastCause));
  }
}
