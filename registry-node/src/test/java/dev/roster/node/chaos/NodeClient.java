package dev.roster.node.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * The workload's HTTP client: one request chain per operation, classified so the checkers know
 * whether a write may have been applied.
 *
 * <p>Writes follow 307 to the leader, and move to the next node when a node refuses the connection
 * or answers a -503 that JRaft guarantees was never proposed (no leader known, leader's address not
 * announced, shutting down). Any other -503, a timeout or a connection lost after sending ends the
 * operation as {@code unknown}: retrying it could apply it twice.
 */
final class NodeClient {
  /** Messages of -503s answered before anything was proposed (see WriteGate): safe to retry. */
  private static final List<String> NOT_PROPOSED =
      List.of(
          "no leader elected within",
          "has not announced its HTTP address",
          "node is shutting down");

  private final HttpClient http;
  private final List<String> urls;
  private final Duration requestTimeout;

  NodeClient(List<String> urls, Duration requestTimeout) {
    this.urls = List.copyOf(urls);
    this.requestTimeout = requestTimeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofMillis(1000))
            .build();
  }

  /** How one operation ended: the outcome (see {@link Op}), the envelope code and data. */
  record Result(String outcome, Integer code, String message, JsonNode data) {
    static Result of(String outcome, String message) {
      return new Result(outcome, null, message, NullNode.getInstance());
    }
  }

  /** A registry write started on node {@code first}; gives up at {@code deadlineNanos}. */
  Result write(String path, String form, int first, long deadlineNanos) {
    String target = urls.get(first);
    int next = first;
    int hops = 0;
    boolean delivered = false;
    String last = "no attempt";
    while (System.nanoTime() < deadlineNanos) {
      HttpResponse<String> r;
      try {
        r =
            http.send(
                HttpRequest.newBuilder(URI.create(target + path))
                    .timeout(timeout(deadlineNanos))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException | HttpConnectTimeoutException e) {
        last = "connect to " + target + " failed: " + e;
        next = (next + 1) % urls.size();
        target = urls.get(next);
        pause(50);
        continue;
      } catch (HttpTimeoutException e) {
        return Result.of(Op.UNKNOWN, "timeout on " + target);
      } catch (IOException e) {
        return Result.of(Op.UNKNOWN, "connection to " + target + " lost: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Result.of(delivered ? Op.UNKNOWN : Op.FAIL, "interrupted");
      }
      JsonNode body = parse(r.body());
      int code = body.path("code").asInt(Integer.MIN_VALUE);
      String message = body.path("message").asText("");
      if (r.statusCode() == 307 && hops++ < 5) {
        target = body.path("data").path("leader").asText(target);
        continue;
      }
      if (code == 0) {
        return new Result(Op.OK, code, message, body.path("data"));
      }
      if (code == -404) {
        return new Result(Op.NOT_FOUND, code, message, body.path("data"));
      }
      if (code == -503 && NOT_PROPOSED.stream().anyMatch(message::contains)) {
        last = message;
        next = (next + 1) % urls.size();
        target = urls.get(next);
        pause(100);
        continue;
      }
      // -503 after proposing, -500, or anything unexpected: it may have been applied
      return new Result(Op.UNKNOWN, code, message, body.path("data"));
    }
    return Result.of(Op.FAIL, "not delivered before the deadline; last: " + last);
  }

  /** A read on one node; a read that fails changes nothing, so any failure is {@code fail}. */
  Result read(int node, String pathAndQuery, long deadlineNanos) {
    String target = urls.get(node);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                  .timeout(timeout(deadlineNanos))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = parse(r.body());
      int code = body.path("code").asInt(Integer.MIN_VALUE);
      String message = body.path("message").asText("");
      String outcome =
          switch (code) {
            case 0 -> Op.OK;
            case -404 -> Op.NOT_FOUND;
            case -304 -> Op.NOT_MODIFIED;
            default -> Op.FAIL;
          };
      return new Result(outcome, code, message, body.path("data"));
    } catch (IOException e) {
      return Result.of(Op.FAIL, target + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.of(Op.FAIL, "interrupted");
    }
  }

  private Duration timeout(long deadlineNanos) {
    long left = Math.max(1_000_000, deadlineNanos - System.nanoTime());
    return Duration.ofNanos(Math.min(left, requestTimeout.toNanos()));
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isEmpty() ? NullNode.getInstance() : History.JSON.readTree(body);
    } catch (IOException e) {
      return History.JSON
          .createObjectNode()
          .put("code", -1)
          .put("message", "unparsable body: " + body);
    }
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
