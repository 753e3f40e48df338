package dev.roster.bench;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes to the leader over a pool of keep-alive connections, as a client would: a 307 switches to
 * the leader it names, a -503 or a broken connection is retried after a short pause, until {@code
 * budgetMs} is spent. The answer is the last one received (code 0 on success).
 */
final class Writer implements AutoCloseable {
  private final Http http;
  private final int conns;
  private final long attemptTimeoutMs;
  private final Map<String, Http.Pool> pools = new ConcurrentHashMap<>();
  private volatile Http.Pool leader;
  final AtomicLong redirects = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  private static final Executor RETRY_DELAY =
      CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS);

  Writer(Http http, String leaderUrl, int conns, long attemptTimeoutMs) {
    this.http = http;
    this.conns = conns;
    this.attemptTimeoutMs = attemptTimeoutMs;
    this.leader = pool(leaderUrl);
  }

  private Http.Pool pool(String base) {
    return pools.computeIfAbsent(base, b -> http.pool(b, conns));
  }

  String leaderUrl() {
    return leader.baseUrl();
  }

  CompletableFuture<Http.Resp> post(String path, String body, long budgetMs) {
    CompletableFuture<Http.Resp> result = new CompletableFuture<>();
    attempt(path, body, System.nanoTime() + budgetMs * 1_000_000, result);
    return result;
  }

  private void attempt(
      String path, String body, long deadline, CompletableFuture<Http.Resp> result) {
    Http.Pool p = leader;
    p.send("POST", path, body, attemptTimeoutMs)
        .whenComplete(
            (r, e) -> {
              boolean late = System.nanoTime() > deadline;
              if (e == null && r.status() == 307 && r.location() != null && !late) {
                URI u = URI.create(r.location());
                leader = pool(u.getScheme() + "://" + u.getAuthority());
                redirects.incrementAndGet();
                attempt(path, body, deadline, result);
              } else if ((e != null || r.code() == -503) && !late) {
                retries.incrementAndGet();
                CompletableFuture.runAsync(
                    () -> attempt(path, body, deadline, result), RETRY_DELAY);
              } else if (e != null) {
                result.completeExceptionally(e);
              } else {
                result.complete(r);
              }
            });
  }

  /** After the leader moved: point at whichever node leads now. */
  void setLeader(String baseUrl) {
    leader = pool(baseUrl);
  }

  @Override
  public void close() {
    pools.values().forEach(Http.Pool::close);
  }
}
