package dev.roster.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Control-plane calls (status, readiness, snapshots) with the JDK client; load uses {@link Http}.
 */
final class Control {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private Control() {}

  /** GET or POST; null on any I/O error or timeout. */
  static Http.Resp call(String method, String url, String formBody, long timeoutMs) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(timeoutMs));
    if ("POST".equals(method)) {
      b.header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(formBody == null ? "" : formBody));
    } else {
      b.GET();
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Http.Resp(
          r.statusCode(), r.body(), r.headers().firstValue("Location").orElse(null));
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static Http.Resp get(String url, long timeoutMs) {
    return call("GET", url, null, timeoutMs);
  }

  static boolean ready(String baseUrl) {
    Http.Resp r = get(baseUrl + "/ready", 1000);
    return r != null && r.status() == 200;
  }

  /** This node's /cluster/status body, or null. */
  static String status(String baseUrl) {
    Http.Resp r = get(baseUrl + "/cluster/status", 1000);
    return r != null && r.status() == 200 ? r.body() : null;
  }

  /** The index of the node that says it leads, or -1. */
  static int leader(Cluster c) {
    for (int i = 0; i < c.size(); i++) {
      String s = status(c.url(i));
      if (s != null && "leader".equals(Json.stringField(s, "role"))) {
        return i;
      }
    }
    return -1;
  }

  static int awaitLeader(Cluster c, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      int l = leader(c);
      if (l >= 0) {
        return l;
      }
      sleep(100);
    }
    throw new IllegalStateException("no leader within " + timeoutMs + " ms");
  }

  /** Waits until node i answers /ready with 200; returns the time waited in ms. */
  static long awaitReady(Cluster c, int i, long timeoutMs) {
    long start = System.nanoTime();
    long deadline = start + timeoutMs * 1_000_000;
    while (!ready(c.url(i))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "node " + (i + 1) + " not ready within " + timeoutMs + " ms (log: " + c.log(i) + ")");
      }
      sleep(20);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  static void awaitAllReady(Cluster c, long timeoutMs) {
    for (int i = 0; i < c.size(); i++) {
      awaitReady(c, i, timeoutMs);
    }
  }

  /** /discovery/status "instances" of this node (its applied state), or -1. */
  static long instances(String baseUrl) {
    Http.Resp r = get(baseUrl + "/discovery/status", 5000);
    return r == null ? -1 : Json.longField(r.body(), "instances");
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
