package dev.roster.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testkit.NodeLaunch;
import dev.roster.testkit.NodeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * n Roster nodes as separate JVMs started from the shipped jar ({@code target/roster-node.jar},
 * built by {@code package} before failsafe runs), so crashes are real: SIGKILL, SIGTERM, SIGSTOP.
 * Only the processes started here are ever signalled, by their PID. Each node is one {@link
 * NodeLaunch} of registry-testkit.
 *
 * <p>Published in registry-node's test-jar: a module with another base directory passes the jar's
 * path to {@link #start(Path, int, Map)}.
 */
public final class ProcessCluster implements AutoCloseable {
  /** The shaded jar relative to registry-node's own directory (where its failsafe runs). */
  public static final Path JAR = Path.of("target", "roster-node.jar");

  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Path root;
  private final List<NodeLaunch> launches = new ArrayList<>();
  private final List<String> urls = new ArrayList<>();
  private final List<String> rafts = new ArrayList<>();
  private final NodeProcess[] processes;

  private ProcessCluster(Path jar, int n, Map<String, String> extra) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar.toAbsolutePath() + " is missing: run `mvn package` first");
    }
    try {
      root = Files.createTempDirectory("roster-procs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> peers = new ArrayList<>();
    int[] http = new int[n];
    for (int i = 0; i < n; i++) {
      http[i] = TestCluster.freePort();
      String raft = "127.0.0.1:" + TestCluster.freePort();
      rafts.add(raft);
      peers.add(raft);
    }
    for (int i = 0; i < n; i++) {
      // as in TestCluster: extra settings override the defaults (each flag is given once)
      Map<String, String> s = new LinkedHashMap<>();
      s.put("http", "127.0.0.1:" + http[i]);
      s.put("raft", rafts.get(i));
      s.put("peers", String.join(",", peers));
      s.put("data", root.resolve("node" + i).toString());
      s.put("election-timeout", "1000ms");
      s.putAll(extra);
      NodeLaunch.Builder b =
          NodeLaunch.builder()
              .jvmOptions(List.of("-Xmx256m"))
              .jar(jar)
              .http(s.remove("http"))
              .raft(s.remove("raft"))
              .peers(List.of(s.remove("peers").split(",")))
              .data(Path.of(s.remove("data")))
              .log(root.resolve("node" + i + ".log"));
      s.forEach((k, v) -> b.nodeArgs(List.of("--" + k, v)));
      launches.add(b.build());
      urls.add("http://127.0.0.1:" + http[i]);
    }
    processes = new NodeProcess[n];
  }

  /**
   * Starts {@code n} nodes from {@link #JAR} with test-friendly defaults plus {@code extra}
   * settings.
   */
  public static ProcessCluster start(int n, Map<String, String> extra) {
    return start(JAR, n, extra);
  }

  /**
   * Starts {@code n} nodes from the shaded jar at {@code jar}, with defaults plus {@code extra}.
   */
  public static ProcessCluster start(Path jar, int n, Map<String, String> extra) {
    ProcessCluster c = new ProcessCluster(jar, n, extra);
    try {
      for (int i = 0; i < n; i++) {
        c.startNode(i);
      }
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  public String url(int i) {
    return urls.get(i);
  }

  /** Base URLs of every node, running or not, in index order. */
  public List<String> urls() {
    return List.copyOf(urls);
  }

  public String raftAddress(int i) {
    return rafts.get(i);
  }

  public int size() {
    return processes.length;
  }

  public Process process(int i) {
    return processes[i] == null ? null : processes[i].process();
  }

  public boolean isRunning(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  public void startNode(int i) {
    if (isRunning(i)) {
      throw new IllegalStateException("node " + i + " is running");
    }
    processes[i] = launches.get(i).start();
  }

  /** The node's log so far (for assertion messages). */
  public String log(int i) {
    try {
      return Files.readString(launches.get(i).log());
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL: the node dies at once, as in a crash. */
  public void kill(int i) {
    NodeProcess p = processes[i];
    if (p != null) {
      p.kill(KILL_WAIT);
    }
  }

  /** SIGTERM: the node shuts down gracefully. Returns the process so callers can time its exit. */
  public Process terminate(int i) {
    NodeProcess p = processes[i];
    if (p == null) {
      return null;
    }
    p.terminate();
    return p.process();
  }

  /** Sends a signal by name (STOP, CONT) to node {@code i}'s own PID. */
  public void signal(int i, String signal) {
    if (!isRunning(i)) {
      throw new IllegalStateException("node " + i + " is not running");
    }
    processes[i].signal(signal);
  }

  /** Waits until the running nodes agree on a leader, and returns its index. */
  public int awaitLeader(Duration timeout) {
    return awaitLeader("a leader every running node agrees on", timeout, false);
  }

  /**
   * {@link #awaitLeader(Duration)}, and until then also every running node answers 200 to /ready.
   */
  public int awaitReady(Duration timeout) {
    return awaitLeader("every running node ready, with one leader", timeout, true);
  }

  private int awaitLeader(String alias, Duration timeout, boolean ready) {
    int[] found = {-1};
    Awaitility.await(alias)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              Optional<Integer> leader = Optional.empty();
              String leaderRaft = null;
              for (int i = 0; i < processes.length; i++) {
                if (!isRunning(i)) {
                  continue;
                }
                if (ready && Http.get(url(i) + "/ready").status() != 200) {
                  return false;
                }
                Http.Response s = Http.get(url(i) + "/cluster/status");
                String l = s.data().path("leader").asText(null);
                if (l == null || s.data().path("leader_http").isNull()) {
                  return false;
                }
                if (leaderRaft == null) {
                  leaderRaft = l;
                } else if (!leaderRaft.equals(l)) {
                  return false;
                }
                if ("leader".equals(s.data().path("role").asText())) {
                  leader = Optional.of(i);
                }
              }
              found[0] = leader.orElse(-1);
              return leader.isPresent();
            });
    return found[0];
  }

  /**
   * The instance as node {@code i} serves it from its own state (a plain fetch of every status), or
   * empty if that node has none.
   */
  public Optional<JsonNode> instance(int i, String env, String appid, String hostname) {
    JsonNode zones =
        Http.get(url(i) + "/discovery/fetch?status=3&env=" + env + "&appid=" + appid)
            .data()
            .path("instances");
    for (JsonNode zone : zones) {
      for (JsonNode instance : zone) {
        if (hostname.equals(instance.path("hostname").asText())) {
          return Optional.of(instance);
        }
      }
    }
    return Optional.empty();
  }

  /** True if every running node serves the instance. */
  public boolean everyRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < processes.length; i++) {
      if (isRunning(i) && instance(i, env, appid, hostname).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    for (int i = 0; i < processes.length; i++) {
      if (isRunning(i)) {
        kill(i);
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temp dir; best effort
    }
  }
}
