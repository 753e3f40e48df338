package dev.roster.it;

import dev.roster.node.RosterNode;
import dev.roster.node.config.NodeConfig;
import dev.roster.node.model.Instance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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
 * Real Roster nodes in this JVM (JRaft, RocksDB, Netty HTTP), each on free loopback ports with
 * its own data directory, started through the node's public API. Nodes can be stopped gracefully,
 * killed (no hand-over) and started again on the same ports and data.
 */
final class Cluster implements AutoCloseable {
  /** Registry timings short enough that eviction would show within seconds. */
  static final Map<String, String> SHORT_TIMINGS = Map.of(
      "renew-interval", "200ms",
      "evict-interval", "500ms",
      "expire", "2s",
      "election-timeout", "1000ms",
      "shutdown-grace", "2s");

  private final Path root;
  private final List<Map<String, String>> settings = new ArrayList<>();
  private final RosterNode[] nodes;

  private Cluster(int n, Map<String, String> extra) {
    try {
      root = Files.createTempDirectory("roster-it");
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
      Map<String, String> s = new LinkedHashMap<>(extra);
      s.put("http", "127.0.0.1:" + http[i]);
      s.put("raft", peers.get(i));
      s.put("peers", String.join(",", peers));
      s.put("data", root.resolve("node" + i).toString());
      settings.add(s);
    }
    nodes = new RosterNode[n];
  }

  /** Starts {@code n} nodes with {@link #SHORT_TIMINGS} and waits until every one is ready. */
  static Cluster start(int n) {
    Cluster c = new Cluster(n, SHORT_TIMINGS);
    try {
      for (int i = 0; i < n; i++) {
        c.startNode(i);
      }
      c.awaitReady();
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  int size() {
    return nodes.length;
  }

  String url(int i) {
    return "http://" + settings.get(i).get("http");
  }

  List<String> urls() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      urls.add(url(i));
    }
    return urls;
  }

  RosterNode node(int i) {
    if (nodes[i] == null) {
      throw new IllegalStateException("node " + i + " is stopped");
    }
    return nodes[i];
  }

  void startNode(int i) {
    nodes[i] = new RosterNode(NodeConfig.fromSettings(settings.get(i))).start();
  }

  /** Stops node {@code i} as after a crash: no leadership hand-over, nothing answered. */
  void kill(int i) {
    RosterNode n = nodes[i];
    nodes[i] = null;
    if (n != null) {
      n.close(Duration.ZERO);
    }
  }

  /** Deletes node {@code i}'s data (it must be stopped): it comes back as a brand-new node. */
  void wipe(int i) {
    if (nodes[i] != null) {
      throw new IllegalStateException("node " + i + " is running");
    }
    delete(Path.of(settings.get(i).get("data")));
  }

  /** Waits until the running nodes agree on a running leader; returns its index. */
  int awaitLeader() {
    int[] found = {-1};
    Awaitility.await("a leader all running nodes agree on")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> {
          found[0] = -1;
          String leader = null;
          for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == null) {
              continue;
            }
            Optional<String> seen = nodes[i].raft().leader().map(p -> p.getEndpoint().toString());
            if (seen.isEmpty() || (leader != null && !leader.equals(seen.get()))) {
              return false;
            }
            leader = seen.get();
            if (nodes[i].raft().isLeader()) {
              found[0] = i;
            }
          }
          return found[0] >= 0;
        });
    return found[0];
  }

  /** Waits for a leader and until every running node has applied up to it and announced itself. */
  int awaitReady() {
    int leader = awaitLeader();
    Awaitility.await("every running node ready and announced")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> {
          int running = 0;
          for (RosterNode n : nodes) {
            running += n == null ? 0 : 1;
          }
          for (RosterNode n : nodes) {
            if (n != null && (!n.raft().isReady() || n.raft().stateMachine().read(r -> r.application("infra", "infra.discovery")
                .map(a -> a.size()).orElse(0)) < running)) {
              return false;
            }
          }
          return true;
        });
    return leader;
  }

  /** The instance as node {@code i} has applied it. */
  Optional<Instance> instance(int i, String env, String appid, String hostname) {
    return node(i).raft().stateMachine().read(r -> r.application(env, appid).map(a -> a.instance(hostname)));
  }

  /** True if every running node has the instance. */
  boolean everyRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && instance(i, env, appid, hostname).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** True if no running node has the instance. */
  boolean noRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && instance(i, env, appid, hostname).isPresent()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.length; i++) {
      try {
        kill(i);
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
    delete(root);
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
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
