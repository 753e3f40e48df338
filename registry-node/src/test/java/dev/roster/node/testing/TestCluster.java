package dev.roster.node.testing;

import dev.roster.node.RosterNode;
import dev.roster.node.config.NodeConfig;
import dev.roster.node.model.Instance;
import dev.roster.node.raft.RaftStorage;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * n real Roster nodes in this JVM (real JRaft, real HTTP, fsync on), each on free loopback ports
 * with its own data directory. Nodes can be stopped and restarted on the same ports and data.
 * Published in registry-node's test-jar, with the rest of this package, for registry-it.
 */
public final class TestCluster implements AutoCloseable {
  /**
   * Registry timings short enough that eviction shows within seconds (renew every 200 ms, expire
   * after 2 s): pass as the extra settings of {@link #start(int, Map)} or {@link
   * ProcessCluster#start(Path, int, Map)}.
   */
  public static final Map<String, String> SHORT_TIMINGS =
      Map.of(
          "renew-interval", "200ms",
          "evict-interval", "500ms",
          "expire", "2s",
          "election-timeout", "1000ms",
          "shutdown-grace", "2s");

  private final Path root;
  private final List<Map<String, String>> settings = new ArrayList<>();
  private final RosterNode[] nodes;
  private final IntFunction<RaftStorage> raftStorage;

  private TestCluster(int n, Map<String, String> extra, IntFunction<RaftStorage> raftStorage) {
    this.raftStorage = raftStorage;
    try {
      root = Files.createTempDirectory("roster-cluster");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] raftPorts = new int[n];
    int[] httpPorts = new int[n];
    for (int i = 0; i < n; i++) {
      raftPorts[i] = freePort();
      httpPorts[i] = freePort();
    }
    List<String> peers = new ArrayList<>();
    for (int p : raftPorts) {
      peers.add("127.0.0.1:" + p);
    }
    for (int i = 0; i < n; i++) {
      Map<String, String> s = new LinkedHashMap<>();
      s.put("http", "127.0.0.1:" + httpPorts[i]);
      s.put("raft", "127.0.0.1:" + raftPorts[i]);
      s.put("peers", String.join(",", peers));
      s.put("data", root.resolve("node" + i).toString());
      s.put("election-timeout", "1000ms");
      int port = httpPorts[i];
      int index = i;
      // "{http-port}" in a value is the node's own HTTP port (per-node URLs such as cluster-url),
      // "{node}" its index (per-node files such as tls-cert)
      extra.forEach(
          (k, v) ->
              s.put(
                  k,
                  v.replace("{http-port}", String.valueOf(port))
                      .replace("{node}", String.valueOf(index))));
      settings.add(s);
    }
    nodes = new RosterNode[n];
  }

  /** Starts {@code n} nodes with test-friendly defaults plus {@code extra} settings. */
  public static TestCluster start(int n, Map<String, String> extra) {
    return start(n, extra, i -> RaftStorage.standard());
  }

  /** As {@link #start(int, Map)}, node {@code i} keeping its Raft log in {@code raftStorage(i)}. */
  public static TestCluster start(
      int n, Map<String, String> extra, IntFunction<RaftStorage> raftStorage) {
    TestCluster c = new TestCluster(n, extra, raftStorage);
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

  public static TestCluster start(int n) {
    return start(n, Map.of());
  }

  public int size() {
    return nodes.length;
  }

  public RosterNode node(int i) {
    RosterNode node = nodes[i];
    if (node == null) {
      throw new IllegalStateException("node " + i + " is stopped");
    }
    return node;
  }

  /** Base URL of node {@code i}, also while it is stopped (same port on restart). */
  public String url(int i) {
    String scheme = settings.get(i).containsKey("tls-cert") ? "https://" : "http://";
    return scheme + settings.get(i).get("http");
  }

  /** Base URLs of every node, running or not, in index order. */
  public List<String> urls() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      urls.add(url(i));
    }
    return urls;
  }

  public String raftAddress(int i) {
    return settings.get(i).get("raft");
  }

  public Path dataDir(int i) {
    return Path.of(settings.get(i).get("data"));
  }

  public boolean isRunning(int i) {
    return nodes[i] != null;
  }

  public RosterNode startNode(int i) {
    if (nodes[i] != null) {
      throw new IllegalStateException("node " + i + " is already running");
    }
    nodes[i] =
        new RosterNode(NodeConfig.fromSettings(settings.get(i)), raftStorage.apply(i)).start();
    return nodes[i];
  }

  /** Stops node {@code i} (it keeps its data and ports for a restart). */
  public void stopNode(int i) {
    RosterNode node = nodes[i];
    nodes[i] = null;
    if (node != null) {
      node.close();
    }
  }

  /**
   * Stops node {@code i} without a grace period: Roster hands nothing over and waits for nothing.
   * It is not a crash: JRaft's own shutdown of a leader still lets a follower start an election at
   * once. For real crashes (SIGKILL) use {@link ProcessCluster}.
   */
  public void killNode(int i) {
    RosterNode node = nodes[i];
    nodes[i] = null;
    if (node != null) {
      node.close(Duration.ZERO);
    }
  }

  /**
   * Deletes the data of stopped node {@code i}: started again, it comes back as a brand-new node.
   */
  public void wipe(int i) {
    if (nodes[i] != null) {
      throw new IllegalStateException("node " + i + " is running");
    }
    delete(dataDir(i));
  }

  /** Waits until the running nodes agree on one running leader, and returns its index. */
  public int awaitLeader() {
    return awaitLeader(Duration.ofSeconds(20));
  }

  public int awaitLeader(Duration timeout) {
    int[] found = {-1};
    Awaitility.await("a leader among the running nodes")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Optional<Integer> leader = leaderIndex();
              if (leader.isEmpty()) {
                return false;
              }
              String leaderRaft = raftAddress(leader.get());
              for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] != null
                    && !nodes[i]
                        .raft()
                        .leadership()
                        .leader()
                        .map(p -> p.toString())
                        .orElse("")
                        .equals(leaderRaft)) {
                  return false;
                }
              }
              found[0] = leader.get();
              return true;
            });
    return found[0];
  }

  /**
   * Waits until every running node has announced itself, so followers can redirect to the leader.
   */
  public int awaitReady() {
    return awaitReady(Duration.ofSeconds(20));
  }

  /**
   * {@link #awaitReady()}, allowing {@code timeout} for the leader and as much again for the rest.
   */
  public int awaitReady(Duration timeout) {
    int leader = awaitLeader(timeout);
    Awaitility.await("every running node ready and announced")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] != null
                    && (!nodes[i].raft().isReady()
                        || nodes[i]
                                .raft()
                                .stateMachine()
                                .read(
                                    r ->
                                        r.application("infra", "infra.discovery")
                                            .map(a -> a.size())
                                            .orElse(0))
                            < runningCount())) {
                  return false;
                }
              }
              return true;
            });
    return leader;
  }

  private int runningCount() {
    int n = 0;
    for (RosterNode node : nodes) {
      if (node != null) {
        n++;
      }
    }
    return n;
  }

  private Optional<Integer> leaderIndex() {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && nodes[i].raft().leadership().isLeader()) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** The instance as running node {@code i} has applied it (empty if it has none). */
  public Optional<Instance> instance(int i, String env, String appid, String hostname) {
    return node(i)
        .raft()
        .stateMachine()
        .read(r -> r.application(env, appid).map(a -> a.instance(hostname)));
  }

  /** True if every running node has applied the instance. */
  public boolean everyRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && instance(i, env, appid, hostname).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** True if no running node has the instance (any more). */
  public boolean noRunningNodeHas(String env, String appid, String hostname) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && instance(i, env, appid, hostname).isPresent()) {
        return false;
      }
    }
    return true;
  }

  /** Indexes of running nodes other than {@code leader}. */
  public List<Integer> followers(int leader) {
    List<Integer> f = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      if (i != leader && nodes[i] != null) {
        f.add(i);
      }
    }
    return f;
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.length; i++) {
      try {
        stopNode(i);
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
      // temp dir; best effort
    }
  }

  /**
   * A port nothing listens on, from below the kernel's ephemeral range: a port the kernel handed
   * out with {@code new ServerSocket(0)} may be taken again by an outgoing connection (JRaft
   * connects to its peers all the time) before the node binds it — "Address already in use" on a
   * busy machine. Ports below that range are never given to outgoing connections.
   */
  public static int freePort() {
    for (int tries = 0; tries < PORT_SPAN; tries++) {
      int port = PORT_BASE + Math.floorMod(nextPort.getAndIncrement(), PORT_SPAN);
      try (ServerSocket s = new ServerSocket(port)) {
        return port;
      } catch (IOException e) {
        // in use: the next one
      }
    }
    throw new IllegalStateException(
        "no free port in " + PORT_BASE + ".." + (PORT_BASE + PORT_SPAN - 1));
  }

  private static final int PORT_SPAN = 10_000;
  private static final int PORT_BASE = ephemeralPortsStart() - PORT_SPAN;
  // each JVM starts elsewhere in the span: test JVMs running side by side rarely meet
  private static final AtomicInteger nextPort =
      new AtomicInteger((int) (ProcessHandle.current().pid() * 7919 % PORT_SPAN));

  private static int ephemeralPortsStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(PORT_SPAN + 1024, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768; // Linux's default
    }
  }
}
