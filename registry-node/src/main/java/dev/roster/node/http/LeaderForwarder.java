package dev.roster.node.http;

import dev.roster.node.cluster.PeerLink;
import dev.roster.node.raft.UnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a write to the leader and answers with what the leader answered, status and body as they
 * are: for clients that do not follow redirects (Eureka's follow only 302s to {@code /v2/apps}). A
 * forwarded request is marked, and a node that gets a marked request while it does not lead refuses
 * it (503) instead of forwarding it again, so two nodes with different ideas of the leader cannot
 * bounce a request between them.
 *
 * <p>Each forward is a blocking {@code send} on one of at most {@link #SENDERS} threads of its own,
 * started on demand and stopped when idle. Not {@code HttpClient.sendAsync}: the future that
 * returns completes through a step of the JDK's on the {@code CompletableFuture} default executor,
 * which on 2 CPUs or fewer (a common pool of parallelism 1) starts a new thread for every response:
 * one thread per forwarded write, which cost Eureka renews sent to a follower half their throughput
 * or more on 2 CPUs (docs/benchmarks.md, Eureka API vs a stock Eureka server).
 */
final class LeaderForwarder {
  static final String FORWARDED_HEADER = "x-roster-forwarded";

  /** Request headers that travel with the forwarded request (the rest are the connection's). */
  private static final Set<String> FORWARDED_REQUEST_HEADERS =
      Set.of("content-type", "accept", "authorization");

  /** Forwards in flight at most (and connections to the leader); more wait for a sender. */
  static final int SENDERS = 64;

  /** The prefix of the senders' thread names. */
  static final String THREAD_PREFIX = "roster-forward-";

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final HttpClient http;
  private final ThreadPoolExecutor senders;

  /** Forwards with {@code peers}' TLS; the request's own token goes along, not the node's. */
  LeaderForwarder(long connectTimeoutMs, PeerLink peers) {
    this.http = peers.client(Duration.ofMillis(connectTimeoutMs));
    this.senders =
        new ThreadPoolExecutor(
            SENDERS,
            SENDERS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, THREAD_PREFIX + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    senders.allowCoreThreadTimeOut(true);
  }

  /** True if {@code request} was forwarded to this node by another one. */
  static boolean wasForwarded(ApiRequest request) {
    return request.header(FORWARDED_HEADER) != null;
  }

  CompletableFuture<Reply> forward(ApiRequest request, String leaderUrl, long timeoutMs) {
    if (wasForwarded(request)) {
      return CompletableFuture.failedFuture(
          new UnavailableException("forwarded to a node that does not lead; retry"));
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    HttpRequest.Builder out =
        HttpRequest.newBuilder(URI.create(leaderUrl + request.uri()))
            .header(FORWARDED_HEADER, "1")
            .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request
        .headers()
        .forEach(
            (name, value) -> {
              if (FORWARDED_REQUEST_HEADERS.contains(name)) {
                out.header(name, value);
              }
            });
    return CompletableFuture.supplyAsync(
        () -> {
          // the time spent waiting for a sender counts against the caller's budget
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            throw unreachable(leaderUrl, "no answer within " + timeoutMs + " ms");
          }
          HttpResponse<byte[]> response;
          try {
            response =
                http.send(
                    out.timeout(Duration.ofMillis(left)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
          } catch (HttpTimeoutException e) {
            throw unreachable(leaderUrl, "no answer within " + timeoutMs + " ms");
          } catch (IOException e) {
            throw unreachable(leaderUrl, e.toString());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(leaderUrl, "interrupted");
          }
          String type = response.headers().firstValue("content-type").orElse(null);
          return Reply.ok(new RawBody(type, response.body(), response.statusCode()));
        },
        senders);
  }

  private static UnavailableException unreachable(String leaderUrl, String why) {
    return new UnavailableException("leader " + leaderUrl + " unreachable: " + why);
  }
}
