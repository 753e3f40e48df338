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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does exactly one HTTP exchange with one node: builds the request of a {@link Call}, sends it, and
 * reads the status and the registry's envelope into an {@link Outcome}. It never retries nor
 * follows a redirect; {@link RetryingCall} decides what comes next.
 *
 * <p>It uses the blocking {@link HttpClient#send}, on the caller's thread (the client's I/O pool,
 * or the poll thread for the watch loop). Not {@code sendAsync}: in Java 17 its future always
 * completes through an empty step on the {@code CompletableFuture} default executor, which on 2
 * CPUs (common-pool parallelism 1) starts a new thread per response. The HttpClient's own executor
 * is a separate pool that no caller ever blocks, so the responses callers wait for can always be
 * read.
 */
final class HttpExchange implements Exchange {
  private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);
  private static final long GUARD_MS = 1000;

  private final ScheduledExecutorService guards;
  private final ObjectMapper json;
  private volatile HttpClient http;

  /** Asked for every request, so a rotated token is used from the next request on. */
  private final Supplier<String> token;

  /**
   * @param guards runs the timers that cut an exchange whose answer stalls past its timeout
   * @param httpExecutor the HttpClient's own executor; must not run any caller of {@link #send}
   * @param tls the TLS of {@code https://} nodes; null for the JDK's default context, still with
   *     TLS 1.3 and 1.2 only. The HttpClient verifies host names either way
   */
  HttpExchange(
      Duration connectTimeout,
      ScheduledExecutorService guards,
      Executor httpExecutor,
      ObjectMapper json,
      Supplier<String> token,
      ClientTls tls) {
    this.token = token;
    this.guards = guards;
    this.json = json;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .executor(httpExecutor);
    ClientTls t = tls != null ? tls : ClientTls.jdkDefault();
    b.sslContext(t.context()).sslParameters(t.parameters());
    this.http = b.build();
  }

  @Override
  public Outcome send(Call call, URI node, Duration timeout, Sending sending) {
    HttpClient client = http;
    if (client == null) {
      sending.finished();
      return Outcome.closed();
    }
    // HttpRequest.timeout bounds the wait for the response headers; this bounds the rest too
    ScheduledFuture<?> guard;
    try {
      guard =
          guards.schedule(
              () -> sending.interrupt(true), timeout.toMillis() + GUARD_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      sending.finished();
      return Outcome.closed();
    }
    HttpResponse<String> response;
    try {
      response =
          client.send(
              request(call, node, timeout, token.get()), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | RuntimeException e) {
      return Outcome.unavailable(describe(e), e);
    } catch (InterruptedException e) {
      if (!sending.timedOut()) {
        // not timed out: aborted (the caller ignores this outcome) or the client is closing
        return Outcome.closed();
      }
      HttpTimeoutException t =
          new HttpTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
      return Outcome.unavailable(describe(t), t);
    } finally {
      guard.cancel(false);
      sending.finished();
    }
    return outcome(
        response.statusCode(),
        parse(response.body()),
        response.headers().firstValue("Location").orElse(null));
  }

  /**
   * Drops the JDK HttpClient. On Java 21+ it is closed at once; on Java 17 (which has no close) its
   * selector thread ends by itself once the client is garbage-collected.
   */
  @Override
  public void close() {
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

  private static HttpRequest request(Call call, URI node, Duration timeout, String token) {
    String form = call.params().encode();
    HttpRequest.Builder b;
    if (call.write()) {
      b =
          HttpRequest.newBuilder(URI.create(node + call.path()))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form));
    } else {
      String query = form.isEmpty() ? "" : "?" + form;
      b = HttpRequest.newBuilder(URI.create(node + call.path() + query)).GET();
    }
    if (token != null && !token.isBlank()) {
      b.header("Authorization", "Bearer " + token.strip());
    }
    return b.timeout(timeout).header("Accept", "application/json").build();
  }

  /**
   * The outcome of an answer. The envelope's code decides, whatever the HTTP status: the registry
   * answers HTTP 200 with the code in the body (older ones sent the code's HTTP status too, so both
   * must work).
   */
  static Outcome outcome(int status, Reply reply, String location) {
    boolean redirectStatus = status == 307 || status == 308;
    if (reply == null) {
      return redirectStatus
          ? Outcome.redirect(BaseUrls.ofRedirect(location))
          : Outcome.unavailable("HTTP " + status + " without a registry answer", null);
    }
    int code = reply.code();
    if (code == Reply.OK || code == Reply.NOT_MODIFIED || code == Reply.NOT_FOUND) {
      return Outcome.answer(reply);
    }
    if (code == Reply.NOT_LEADER || (code > -400 && redirectStatus)) {
      URI leader = BaseUrls.ofRedirect(reply.data().path("leader").asText(""));
      return Outcome.redirect(leader != null ? leader : BaseUrls.ofRedirect(location));
    }
    if (code <= -500) {
      return Outcome.unavailable(code + " " + reply.message(), null);
    }
    if (code <= -400) {
      return Outcome.refused(code, reply.message());
    }
    return Outcome.unexpected(code, "HTTP " + status + ", code " + code + " " + reply.message());
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
