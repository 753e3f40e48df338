package dev.roster.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Roster nodes as separate JVMs (the node's main class on this test's class path), so a crash is
 * a real SIGKILL: no shutdown code runs, no leadership hand-over, sockets just vanish. Only the
 * processes started here are ever killed, by their handle.
 */
final class ProcessNodes implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Path root;
  private final List<List<String>> args = new ArrayList<>();
  private final List<String> urls = new ArrayList<>();
  private final Process[] processes;

  private ProcessNodes(int n, Map<String, String> flags) {
    try {
      root = Files.createTempDirectory("roster-it-procs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> peers = new ArrayList<>();
    int[] http = new int[n];
    for (int i = 0; i < n; i++) {
      peers.add("127.0.0.1:" + freePort());
      http[i] = freePort();
    }
    for (int i = 0; i < n; i++) {
      List<String> a = new ArrayList<>(List.of(
          "--http", "127.0.0.1:" + http[i],
          "--raft", peers.get(i),
          "--peers", String.join(",", peers),
          "--data", root.resolve("node" + i).toString()));
      flags.forEach((k, v) -> {
        a.add("--" + k);
        a.add(v);
      });
      args.add(a);
      urls.add("http://127.0.0.1:" + http[i]);
    }
    processes = new Process[n];
  }

  /** Starts {@code n} node processes with {@link Cluster#SHORT_TIMINGS} and waits for a ready cluster. */
  static ProcessNodes start(int n) {
    ProcessNodes nodes = new ProcessNodes(n, Cluster.SHORT_TIMINGS);
    try {
      for (int i = 0; i < n; i++) {
        nodes.startNode(i);
      }
      nodes.awaitReady();
    } catch (RuntimeException e) {
      nodes.close();
      throw e;
    }
    return nodes;
  }

  List<String> urls() {
    return List.copyOf(urls);
  }

  boolean isRunning(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  private void startNode(int i) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        "dev.roster.node.RosterNode"));
    cmd.addAll(args.get(i));
    File log = root.resolve("node" + i + ".log").toFile();
    try {
      processes[i] = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL. */
  void kill(int i) {
    Process p = processes[i];
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits until every running node answers /ready and they agree on a leader; returns its index. */
  int awaitReady() {
    int[] found = {-1};
    Awaitility.await("a ready cluster with one leader")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> {
          found[0] = -1;
          String leader = null;
          for (int i = 0; i < processes.length; i++) {
            if (!isRunning(i)) {
              continue;
            }
            if (get(urls.get(i) + "/ready").statusCode() != 200) {
              return false;
            }
            JsonNode s = JSON.readTree(get(urls.get(i) + "/cluster/status").body()).path("data");
            String l = s.path("leader").asText("");
            if (l.isEmpty() || (leader != null && !leader.equals(l))) {
              return false;
            }
            leader = l;
            if ("leader".equals(s.path("role").asText())) {
              found[0] = i;
            }
          }
          return found[0] >= 0;
        });
    return found[0];
  }

  /** The instance's renew_timestamp as node {@code i} has applied it (a local read). */
  Optional<Long> renewTimestamp(int i, String env, String appid, String hostname) {
    try {
      JsonNode body = JSON.readTree(get(urls.get(i) + "/discovery/fetch?status=3&env=" + env + "&appid=" + appid).body());
      for (JsonNode zone : body.path("data").path("instances")) {
        for (JsonNode instance : zone) {
          if (hostname.equals(instance.path("hostname").asText())) {
            return Optional.of(instance.path("renew_timestamp").asLong());
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean everyRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < processes.length; i++) {
      if (isRunning(i) && renewTimestamp(i, env, appid, hostname).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  String log(int i) {
    try {
      return Files.readString(root.resolve("node" + i + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < processes.length; i++) {
      kill(i);
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temp dir: best effort
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
