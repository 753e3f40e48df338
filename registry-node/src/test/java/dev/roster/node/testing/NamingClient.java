package dev.roster.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays discovery's Go {@code naming} client exactly where it matters to a server, without being
 * it:
 *
 * <ul>
 *   <li>its HTTP layer (blademaster) turns any HTTP status of 400 or more into an opaque error and
 *       reads no body, then switches to the next node; it follows 307 like Go's {@code net/http};
 *   <li>{@code New()} polls {@code infra.discovery} in the client's <em>own</em> env, waits until
 *       the answer lists nodes, and keeps those of its own zone whose address is {@code http://};
 *   <li>every 30 s (here: {@link #renewOnce}) it renews; {@code -404} means register again, any
 *       other failure is only logged;
 *   <li>register sends {@code region, zone, env, hostname, appid, addrs, version, status=1,
 *       metadata}.
 * </ul>
 *
 * Requests time out like its 3 s dial / 40 s request settings would, shortened for tests.
 */
public final class NamingClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String region;
  private final String zone;
  private final String env;
  private final String host;
  private final List<String> seeds;
  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(1))
          .build();
  private volatile List<String> nodes = List.of();
  private final AtomicLong nodeIdx = new AtomicLong();

  /** Answers with an HTTP status of 400 or more: the Go client can only see them as failures. */
  public final AtomicInteger httpErrors = new AtomicInteger();

  public final AtomicInteger transportErrors = new AtomicInteger();
  public final AtomicInteger registers = new AtomicInteger();
  public final AtomicInteger renewed = new AtomicInteger();

  public NamingClient(List<String> seeds, String region, String zone, String env, String host) {
    this.seeds = List.copyOf(seeds);
    this.region = region;
    this.zone = zone;
    this.env = env;
    this.host = host;
  }

  /**
   * What {@code New()} does before it returns: one polls of {@code infra.discovery} (and {@code
   * alsoWatch}, apps the service will resolve) in the client's env, repeated on failure after a
   * second, until an answer carries the nodes. Returns the nodes it learnt.
   */
  public List<String> bootstrap(Duration atMost, String... alsoWatch) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      StringBuilder q =
          new StringBuilder(form("env", env, "hostname", host, "appid", "infra.discovery"));
      for (String app : alsoWatch) {
        q.append('&').append(form("appid", app));
      }
      q.append("&latest_timestamp=0".repeat(1 + alsoWatch.length));
      Optional<JsonNode> body =
          call("GET", pickNode() + "/discovery/polls?" + q, null, Duration.ofSeconds(40));
      if (body.isPresent() && body.get().path("code").asInt() == 0) {
        List<String> found = new ArrayList<>();
        JsonNode mine =
            body.get().path("data").path("infra.discovery").path("instances").path(zone);
        mine.forEach(
            n ->
                n.path("addrs")
                    .forEach(
                        a -> {
                          URI u = URI.create(a.asText());
                          if ("http".equals(u.getScheme())) {
                            found.add(u.getScheme() + "://" + u.getAuthority());
                          }
                        }));
        if (!found.isEmpty()) {
          nodes = List.copyOf(found);
          return nodes;
        }
      } else {
        switchNode();
      }
      sleep(1000); // the Go client's back-off after a failed poll
    }
    throw new AssertionError(
        "New() would still be blocked after "
            + atMost
            + ": no infra.discovery nodes in env "
            + env
            + " zone "
            + zone);
  }

  public List<String> nodes() {
    return nodes;
  }

  /** Register: true when the registry answered code 0. */
  public boolean register(String appid, List<String> addrs, Map<String, String> metadata) {
    StringBuilder f =
        new StringBuilder(base())
            .append('&')
            .append(
                form("appid", appid, "version", "v1", "status", "1", "metadata", toJson(metadata)));
    addrs.forEach(a -> f.append('&').append(form("addrs", a)));
    registers.incrementAndGet();
    Optional<JsonNode> r =
        call("POST", pickNode() + "/discovery/register", f.toString(), Duration.ofSeconds(5));
    if (r.isEmpty()) {
      switchNode();
    }
    return r.map(b -> b.path("code").asInt() == 0).orElse(false);
  }

  /** One tick of the renew loop: renew; on -404 register again, as the Go client does. */
  public void renewOnce(String appid, List<String> addrs, Map<String, String> metadata) {
    Optional<JsonNode> r =
        call(
            "POST",
            pickNode() + "/discovery/renew",
            base() + "&" + form("appid", appid),
            Duration.ofSeconds(5));
    if (r.isEmpty()) {
      switchNode();
      return;
    }
    int code = r.get().path("code").asInt();
    if (code == 0) {
      renewed.incrementAndGet();
    } else if (code == -404) {
      register(appid, addrs, metadata);
    }
  }

  private String base() {
    return form("region", region, "zone", zone, "env", env, "hostname", host);
  }

  private String pickNode() {
    List<String> n = nodes.isEmpty() ? seeds : nodes;
    return n.get((int) (nodeIdx.get() % n.size()));
  }

  private void switchNode() {
    nodeIdx.incrementAndGet();
  }

  /** The body of an answer the Go client can read, or empty: a transport error or HTTP ≥ 400. */
  private Optional<JsonNode> call(String method, String url, String form, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded")
          .method(method, HttpRequest.BodyPublishers.ofString(form));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 400) {
        httpErrors.incrementAndGet();
        return Optional.empty();
      }
      return Optional.of(JSON.readTree(r.body()));
    } catch (IOException e) {
      transportErrors.incrementAndGet();
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static String toJson(Map<String, String> m) {
    try {
      return JSON.writeValueAsString(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(String... namesAndValues) {
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

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
