package dev.roster.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends calls to the cluster until one node answers for good or the deadline passes: follows
 * 307 redirects to the leader (at most {@code maxRedirects} hops in a row), and on -503, 5xx,
 * connection failures and timeouts waits an exponential, jittered backoff and tries the next node.
 * Callers see only the final answer (code 0, -304 or -404) or a {@link RosterException}.
 *
 * <p>Attempts use the blocking {@link HttpClient#send}, on the client's own caller threads: the
 * I/O pool, or the poll thread for the watch loop. Not {@code sendAsync}: in Java 17 its future
 * always completes through an empty step on the {@code CompletableFuture} default executor, which
 * on 2 CPUs (common-pool parallelism 1) starts a new thread per response. The HttpClient's own
 * executor is a separate pool that no caller ever blocks, so the responses callers wait for can
 * always be read.
 */
final class Transport {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);
  private static final long GUARD_MS = 1000;

  private final Settings settings;
  private final Nodes nodes;
  private final ScheduledExecutorService scheduler;
  private final Executor io;
  private final Executor polls;
  private final ObjectMapper json;
  private volatile HttpClient http;

  /**
   * @param io runs the attempts (blocked in {@code send}) of every call but the watch loop's, and
   *     completes their results
   * @param polls runs the attempts of the watch loop, whose long poll holds its thread for up to
   *     {@code pollHold}: so that it never takes one of the I/O threads from short calls
   * @param httpExecutor the HttpClient's own executor; must not be one of the above
   */
  Transport(Settings settings, Nodes nodes, ScheduledExecutorService scheduler, Executor io, Executor polls,
      Executor httpExecutor, ObjectMapper json) {
    this.settings = settings;
    this.nodes = nodes;
    this.scheduler = scheduler;
    this.io = io;
    this.polls = polls;
    this.json = json;
    this.http = HttpClient.newBuilder()
        .connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .executor(httpExecutor)
        .build();
  }

  /** Starts {@code call} on the I/O threads; it ends at the latest {@code deadline} from now. */
  Operation start(Call call, Duration deadline) {
    return start(call, deadline, false);
  }

  /**
   * Like {@link #start(Call, Duration)}; with {@code failFast} it moves on to a node it has not
   * tried yet without a backoff and gives up as soon as every known node has failed once (the
   * caller has a cached answer to fall back on, so waiting for the deadline only delays it).
   */
  Operation start(Call call, Duration deadline, boolean failFast) {
    return start(new Operation(call, deadline, failFast, io));
  }

  /** Like {@link #start(Call, Duration)}, on the watch loop's own thread. */
  Operation startPoll(Call call, Duration deadline) {
    return start(new Operation(call, deadline, false, polls));
  }

  private Operation start(Operation op) {
    // picked here, not on the caller thread: round-robin follows the order calls are started in
    URI first = nodes.pick(op.call.write(), null, op.failedNodes);
    op.onCaller(() -> op.attempt(first, 0));
    return op;
  }

  /**
   * Drops the JDK HttpClient. On Java 21+ it is closed at once; on Java 17 (which has no close)
   * its selector thread ends by itself once the client is garbage-collected.
   */
  void close() {
    HttpClient h = http;
    http = null;
    if (h instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.debug("closing the HTTP client failed", e);
      }
    }
  }

  /** One call in progress: the attempts on successive nodes, backoffs and the deadline. */
  final class Operation {
    private final Call call;
    private final Duration deadline;
    private final long deadlineNanos;
    private final boolean failFast;
    private final Executor caller;
    private final CompletableFuture<Reply> result = new CompletableFuture<>();
    private final Set<URI> failedNodes = ConcurrentHashMap.newKeySet();
    private volatile boolean stopRetrying;
    private volatile Sending sending;
    private volatile ScheduledFuture<?> retry;
    // written by one attempt at a time; attempts are handed over through executors (happens-before)
    private int failures;
    private String lastProblem = "no attempt was made";
    private Throwable lastCause;

    private Operation(Call call, Duration deadline, boolean failFast, Executor caller) {
      this.call = call;
      this.deadline = deadline;
      this.deadlineNanos = System.nanoTime() + deadline.toNanos();
      this.failFast = failFast;
      this.caller = caller;
    }

    /** Completes with a reply of code 0, -304 or -404, or fails with a {@link RosterException}. */
    CompletableFuture<Reply> result() {
      return result;
    }

    /** Lets the attempt in flight finish but starts no other; if it fails, the result is cancelled. */
    void stopRetrying() {
      stopRetrying = true;
      ScheduledFuture<?> r = retry;
      if (r != null && r.cancel(false)) {
        result.cancel(false);
      }
    }

    /** Stops now, aborting the attempt in flight (for reads: nothing is left half-done). */
    void abort() {
      stopRetrying = true;
      result.cancel(false);
      ScheduledFuture<?> r = retry;
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
      HttpClient client = http;
      if (client == null) {
        result.completeExceptionally(new RosterUnavailableException("the client is closed", null));
        return;
      }
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        giveUp();
        return;
      }
      Duration timeout = call.attemptTimeout().compareTo(Duration.ofNanos(remaining)) < 0
          ? call.attemptTimeout() : Duration.ofNanos(remaining);
      Sending s = new Sending(Thread.currentThread());
      sending = s;
      if (result.isDone()) { // aborted before abort() could see this attempt
        s.finished();
        return;
      }
      // HttpRequest.timeout bounds the wait for the response headers; this bounds the rest too
      ScheduledFuture<?> guard;
      try {
        guard = scheduler.schedule(() -> s.interrupt(true), timeout.toMillis() + GUARD_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        s.finished();
        result.completeExceptionally(new RosterUnavailableException("the client is closed", null));
        return;
      }
      HttpResponse<String> response = null;
      Throwable error = null;
      try {
        response = client.send(request(node, timeout), HttpResponse.BodyHandlers.ofString());
      } catch (IOException | RuntimeException e) {
        error = e;
      } catch (InterruptedException e) {
        error = s.timedOut() ? new HttpTimeoutException("no complete answer within " + timeout.toMillis() + " ms") : e;
      } finally {
        guard.cancel(false);
        s.finished();
        sending = null;
      }
      try {
        onResponse(node, hops, response, error);
      } catch (RuntimeException e) {
        result.completeExceptionally(new RosterException(call + ": " + e, e));
      }
    }

    private HttpRequest request(URI node, Duration timeout) {
      String form = call.params().encode();
      HttpRequest.Builder b;
      if (call.write()) {
        b = HttpRequest.newBuilder(URI.create(node + call.path()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
      } else {
        b = HttpRequest.newBuilder(URI.create(node + call.path() + (form.isEmpty() ? "" : "?" + form))).GET();
      }
      return b.timeout(timeout).header("Accept", "application/json").build();
    }

    private void onResponse(URI node, int hops, HttpResponse<String> response, Throwable error) {
      if (result.isDone()) {
        return;
      }
      if (error instanceof InterruptedException) {
        // not aborted (the result would be done) nor timed out: the client is closing
        result.completeExceptionally(new RosterUnavailableException("the client is closed", null));
        return;
      }
      if (error != null) {
        transientFailure(node, describe(error), error);
        return;
      }
      int status = response.statusCode();
      Reply reply = parse(response.body());
      if (reply == null) {
        if (status == 307 || status == 308) {
          redirect(node, hops, response.headers().firstValue("Location").map(BaseUrls::ofRedirect).orElse(null));
        } else {
          transientFailure(node, "HTTP " + status + " without a registry answer", null);
        }
        return;
      }
      // The envelope's code decides, whatever the HTTP status: the registry answers HTTP 200 with
      // the code in the body (older ones sent the code's HTTP status too, so both must work)
      int code = reply.code();
      if (code == Reply.OK || code == Reply.NOT_MODIFIED || code == Reply.NOT_FOUND) {
        nodes.succeeded(node);
        if (call.write()) {
          nodes.leaderIs(node); // only the leader applies writes
        }
        result.complete(reply);
      } else if (code == Reply.NOT_LEADER || (code > -400 && (status == 307 || status == 308))) {
        URI leader = BaseUrls.ofRedirect(reply.data().path("leader").asText(""));
        if (leader == null) {
          leader = response.headers().firstValue("Location").map(BaseUrls::ofRedirect).orElse(null);
        }
        redirect(node, hops, leader);
      } else if (code <= -500) {
        transientFailure(node, code + " " + reply.message(), null);
      } else if (code <= -400) {
        result.completeExceptionally(new RosterRequestException(code, call + " refused by " + node + ": " + reply.message()));
      } else {
        result.completeExceptionally(new RosterException(code, call + ": unexpected answer from " + node
            + ": HTTP " + status + ", code " + code + " " + reply.message(), null));
      }
    }

    private void redirect(URI from, int hops, URI leader) {
      if (leader == null) {
        transientFailure(from, "redirect without a leader address", null);
        return;
      }
      nodes.leaderIs(leader);
      if (hops >= settings.maxRedirects()) {
        transientFailure(null, "more than " + settings.maxRedirects() + " redirects in a row (last to " + leader + ")", null);
        return;
      }
      attempt(leader, hops + 1);
    }

    private void transientFailure(URI node, String problem, Throwable cause) {
      failures++;
      lastProblem = (node == null ? "" : node + ": ") + problem;
      lastCause = cause;
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
      long delay = failFast && !failedNodes.contains(next)
          ? 0 : Backoff.millis(failures, settings.backoffMin(), settings.backoffMax());
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) >= deadlineNanos) {
        giveUp();
        return;
      }
      try {
        // the timer only hands over: the attempt, and any outcome it completes, runs on the
        // caller threads, so continuations never run on (and never hold up) the scheduler thread
        retry = scheduler.schedule(() -> onCaller(() -> attempt(next, 0)), delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new RosterUnavailableException("the client is closed", null));
      }
    }

    private void onCaller(Runnable task) {
      try {
        caller.execute(task);
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new RosterUnavailableException("the client is closed", null));
      }
    }

    private void giveUp() {
      result.completeExceptionally(new RosterUnavailableException(
          call + " failed on every node within " + deadline.toMillis() + " ms (" + failures
              + (failures == 1 ? " attempt" : " attempts") + "); last problem: " + lastProblem, lastCause));
    }
  }

  /**
   * An attempt blocked in {@link HttpClient#send} on a pool thread, so that an abort or the guard
   * can interrupt it (send then cancels the exchange), and only it: an interrupt that comes too
   * late is cleared before the thread goes on.
   */
  private static final class Sending {
    private Thread thread; // guarded by this; null once send has returned
    private boolean timedOut; // guarded by this

    Sending(Thread thread) {
      this.thread = thread;
    }

    synchronized void interrupt(boolean timeout) {
      if (thread != null) {
        timedOut |= timeout;
        thread.interrupt();
      }
    }

    synchronized boolean timedOut() {
      return timedOut;
    }

    synchronized void finished() {
      if (thread != null) {
        thread = null;
        Thread.interrupted();
      }
    }
  }

  private Reply parse(String body) {
    if (body == null || body.isEmpty()) {
      return null;
    }
    try {
      JsonNode n = json.readTree(body);
      if (n == null || !n.isObject() || !n.path("code").isIntegralNumber()) {
        return null;
      }
      return new Reply(n.get("code").asInt(), n.path("message").asText(""), n.path("data"));
    } catch (IOException e) {
      return null;
    }
  }

  private static String describe(Throwable t) {
    if (t instanceof HttpTimeoutException) {
      return "timed out (" + t.getMessage() + ")";
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
