package dev.roster.node.http;

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
import java.util.concurrent.CompletionException;

/**
 * Sends a write to the leader and answers with what the leader answered, status and body as they
 * are: for clients that do not follow redirects (Eureka's follow only 302s to {@code /v2/apps}). A
 * forwarded request is marked, and a node that gets a marked request while it does not lead refuses
 * it (503) instead of forwarding it again, so two nodes with different ideas of the leader cannot
 * bounce a request between them.
 */
final class LeaderForwarder {
  static final String FORWARDED_HEADER = "x-roster-forwarded";

  /** Request headers that travel with the forwarded request (the rest are the connection's). */
  private static final Set<String> FORWARDED_REQUEST_HEADERS = Set.of("content-type", "accept");

  private final HttpClient http;

  LeaderForwarder(long connectTimeoutMs) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(connectTimeoutMs))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
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
    HttpRequest.Builder out =
        HttpRequest.newBuilder(URI.create(leaderUrl + request.uri()))
            .timeout(Duration.ofMillis(Math.max(1, timeoutMs)))
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
    return http.sendAsync(out.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, e) -> {
              if (e != null) {
                Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                String why =
                    cause instanceof HttpTimeoutException
                        ? "no answer within " + timeoutMs + " ms"
                        : cause instanceof IOException ? cause.toString() : String.valueOf(cause);
                throw new UnavailableException("leader " + leaderUrl + " unreachable: " + why);
              }
              String type = response.headers().firstValue("content-type").orElse(null);
              return Reply.ok(new RawBody(type, response.body(), response.statusCode()));
            });
  }
}
