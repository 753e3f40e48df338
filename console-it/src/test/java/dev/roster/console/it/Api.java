package dev.roster.console.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The registry's HTTP API as the tests use it beside the browser: writes that follow a 307 to the
 * leader and try the next node when one does not answer, and the reads the console is built on
 * (console-spec.md), to compare what the page shows with what the node says.
 */
final class Api {
  static final String ENV = "test";
  static final String ZONE = "z1";

  private final Supplier<List<String>> nodes;

  /** {@code nodes}: the base URLs to try, in order (asked again for every write). */
  Api(Supplier<List<String>> nodes) {
    this.nodes = nodes;
  }

  static String registerForm(String appid, String hostname) {
    return identity(appid, hostname)
        + "&addrs="
        + enc("http://" + hostname + ":8080")
        + "&version=v1&metadata="
        + enc("{\"weight\":\"10\"}");
  }

  static String identity(String appid, String hostname) {
    return "zone=" + ZONE + "&env=" + ENV + "&appid=" + enc(appid) + "&hostname=" + enc(hostname);
  }

  Http.Response register(String appid, String hostname) {
    return ok(write("/discovery/register", registerForm(appid, hostname)));
  }

  Http.Response renew(String appid, String hostname) {
    return write("/discovery/renew", identity(appid, hostname));
  }

  Http.Response set(String appid, String hostname, int status) {
    return ok(write("/discovery/set", identity(appid, hostname) + "&status=" + status));
  }

  /**
   * POSTs {@code form} to {@code path} on the first node that answers, following one 307 to the
   * leader; retries for up to 20 s while no node answers or the cluster has no leader.
   */
  Http.Response write(String path, String form) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      for (String node : nodes.get()) {
        try {
          Http.Response r = Http.postForm(node + path, form);
          if (r.status() == 307) {
            String location = r.headers().firstValue("Location").orElse(null);
            if (location == null) {
              continue;
            }
            r = Http.postForm(location, form);
          }
          if (r.status() == 200 && r.code() != -503 && r.code() != -307) {
            return r;
          }
          last = new IllegalStateException(node + path + " answered " + r.body());
        } catch (UncheckedIOException e) {
          last = e;
        }
      }
      pause(100);
    }
    throw new IllegalStateException("no node took " + path + " " + form, last);
  }

  static Http.Response ok(Http.Response r) {
    if (r.code() != 0) {
      throw new IllegalStateException("expected code 0, got " + r.body());
    }
    return r;
  }

  static JsonNode get(String url) {
    Http.Response r = Http.get(url);
    if (r.status() != 200 || r.code() != 0) {
      throw new IllegalStateException(url + " answered " + r.status() + " " + r.body());
    }
    return r.data();
  }

  static JsonNode members(String node) {
    return get(node + "/cluster/members");
  }

  static JsonNode apps(String node, String query) {
    return get(node + "/discovery/apps?" + query);
  }

  static JsonNode instances(String node, String appid, String query) {
    return get(
        node
            + "/discovery/instances?env="
            + ENV
            + "&appid="
            + enc(appid)
            + (query.isEmpty() ? "" : "&" + query));
  }

  static JsonNode evictions(String node) {
    return get(node + "/discovery/evictions?limit=1000");
  }

  /** The hostnames a default fetch (UP instances only, as clients fetch) returns for appid. */
  static List<String> fetchedHostnames(String node, String appid) {
    Http.Response r = Http.get(node + "/discovery/fetch?env=" + ENV + "&appid=" + enc(appid));
    List<String> hosts = new ArrayList<>();
    if (r.code() == 0) {
      for (JsonNode zone : r.data().path("instances")) {
        for (JsonNode i : zone) {
          hosts.add(i.path("hostname").asText());
        }
      }
    }
    return hosts;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms); // between retries of a write, not to wait for the page
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
