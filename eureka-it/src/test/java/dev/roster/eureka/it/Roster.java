package dev.roster.eureka.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.testing.ProcessCluster;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Roster's own discovery API (docs/api.md) against a {@link ProcessCluster}: writes follow the 307
 * to the leader and are retried on another node after -503 or a transport error (bounded); reads
 * ask one given node, which answers from its own state.
 */
final class Roster {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WRITE_TRIES = 20;
  private static final Duration WRITE_BUDGET = Duration.ofSeconds(30);

  private final ProcessCluster nodes;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade attempts: plain HTTP/1.1
          .followRedirects(HttpClient.Redirect.NORMAL) // 307: same method and body to the leader
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  Roster(ProcessCluster nodes) {
    this.nodes = nodes;
  }

  /** {@code POST /discovery/register}; returns the stored instance. */
  JsonNode register(
      String env,
      String appid,
      String hostname,
      String zone,
      int status,
      String metadataJson,
      String... addrs) {
    List<String> f =
        new ArrayList<>(
            List.of(
                "env",
                env,
                "appid",
                appid,
                "hostname",
                hostname,
                "zone",
                zone,
                "status",
                Integer.toString(status),
                "metadata",
                metadataJson,
                "version",
                "it"));
    for (String a : addrs) {
      f.add("addrs");
      f.add(a);
    }
    return write("/discovery/register", form(f.toArray(String[]::new)), 0);
  }

  /** {@code POST /discovery/renew}; true if renewed, false on -404. */
  boolean renew(String env, String appid, String hostname) {
    JsonNode r =
        writeAny(
            "/discovery/renew", form("env", env, "appid", appid, "hostname", hostname), 0, -404);
    return r.path("code").asInt() == 0;
  }

  /** {@code POST /discovery/cancel} (an operator's cancel, behind the instance's back). */
  void cancel(String env, String appid, String hostname) {
    write("/discovery/cancel", form("env", env, "appid", appid, "hostname", hostname), 0);
  }

  /** {@code POST /discovery/set} of one instance's status (1 UP, 2 WAITING). */
  void setStatus(String env, String appid, String hostname, int status) {
    write(
        "/discovery/set",
        form("env", env, "appid", appid, "hostname", hostname, "status", "" + status),
        0);
  }

  /** Node {@code node}'s instances of {@code appid} in {@code env}, every status, every zone. */
  List<JsonNode> instances(int node, String env, String appid) {
    JsonNode data =
        get(node, "/discovery/fetchs?" + form("env", env, "appid", appid, "status", "3"))
            .path("data");
    List<JsonNode> out = new ArrayList<>();
    data.path(appid).path("instances").forEach(zone -> zone.forEach(out::add));
    return out;
  }

  Optional<JsonNode> instance(int node, String env, String appid, String hostname) {
    return instances(node, env, appid).stream()
        .filter(i -> hostname.equals(i.path("hostname").asText()))
        .findFirst();
  }

  /** The hostnames of the UP instances node {@code node} has for {@code appid}. */
  List<String> upHostnames(int node, String env, String appid) {
    return instances(node, env, appid).stream()
        .filter(i -> i.path("status").asInt() == 1)
        .map(i -> i.path("hostname").asText())
        .sorted()
        .toList();
  }

  /** True if every running node has the instance (any status). */
  boolean everyRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.isRunning(i) && instance(i, env, appid, hostname).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** True if no running node has it. */
  boolean noRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.isRunning(i) && instance(i, env, appid, hostname).isPresent()) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code GET /discovery/polls} for {@code appid} from {@code latest_timestamp}, on node {@code
   * node}, held up to {@code hold}: answers when the application changes (or appears).
   */
  CompletableFuture<JsonNode> poll(int node, String env, String appid, long latest, Duration hold) {
    String q =
        form(
            "env",
            env,
            "appid",
            appid,
            "latest_timestamp",
            Long.toString(latest),
            "hold",
            Long.toString(hold.toMillis()),
            "hostname",
            "eureka-it");
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(nodes.url(node) + "/discovery/polls?" + q))
            .timeout(hold.plusSeconds(10))
            .GET()
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> {
              try {
                return JSON.readTree(r.body());
              } catch (IOException e) {
                throw new IllegalStateException(r.statusCode() + " " + r.body(), e);
              }
            });
  }

  /** A request with a JSON body straight to the Eureka API of node {@code node} (path after it). */
  HttpResponse<String> eureka(int node, String method, String path, String json) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(nodes.url(node) + path))
            .timeout(Duration.ofSeconds(10))
            .header("Accept", "application/json");
    if (json != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + nodes.url(node) + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonNode get(int node, String pathAndQuery) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(nodes.url(node) + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() != 200 || body.path("code").asInt() != 0) {
        throw new IllegalStateException(pathAndQuery + " -> " + r.statusCode() + " " + r.body());
      }
      return body;
    } catch (IOException e) {
      throw new IllegalStateException(pathAndQuery + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonNode write(String path, String form, int expected) {
    return writeAny(path, form, expected);
  }

  /**
   * POSTs to a running node (the next one after each failure); -503 and transport errors are
   * retried, at most {@link #WRITE_TRIES} times within {@link #WRITE_BUDGET}.
   */
  private JsonNode writeAny(String path, String form, int... accepted) {
    long deadline = System.nanoTime() + WRITE_BUDGET.toNanos();
    String last = "";
    for (int attempt = 0; attempt < WRITE_TRIES && System.nanoTime() < deadline; attempt++) {
      int node = attempt % nodes.size();
      if (!nodes.isRunning(node)) {
        continue;
      }
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(nodes.url(node) + path))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form))
              .build();
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        int code = body.path("code").asInt(Integer.MIN_VALUE);
        for (int a : accepted) {
          if (code == a) {
            return body;
          }
        }
        last = r.statusCode() + " " + r.body();
        if (code != -503) {
          break;
        }
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(250);
    }
    throw new IllegalStateException("POST " + path + " " + form + " failed: " + last);
  }

  static String form(String... namesAndValues) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (s.length() > 0) {
        s.append('&');
      }
      s.append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
    }
    return s.toString();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
