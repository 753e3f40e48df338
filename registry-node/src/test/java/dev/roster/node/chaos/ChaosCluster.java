package dev.roster.node.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testkit.Commands;
import dev.roster.testkit.NodeLaunch;
import dev.roster.testkit.NodeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The three node processes of a chaos run, started and signalled by the runner (only the PIDs it
 * started), and — inside a network namespace — the iptables rules that cut the links between them.
 * In a namespace every node has its own loopback address and runs under its own uid, so that its
 * outgoing connections carry its address as source (see {@link NetworkNamespace}). Each node is one
 * {@link NodeLaunch} of registry-testkit.
 */
final class ChaosCluster implements AutoCloseable {
  /** One node: the address it listens on, its ports, and the uid it runs as (null: as us). */
  record NodeSpec(String host, int httpPort, int raftPort, Integer uid) {
    String url() {
      return "http://" + host + ":" + httpPort;
    }

    String raft() {
      return host + ":" + raftPort;
    }
  }

  private static final Duration KILL_WAIT = Duration.ofSeconds(15);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private final List<NodeSpec> nodes;
  private final Path jar;
  private final Path dataRoot;
  private final Path logDir;
  private final List<String> nodeFlags;
  private final boolean partitions;
  private final NodeProcess[] processes;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofMillis(1000))
          .build();

  ChaosCluster(
      List<NodeSpec> nodes,
      Path jar,
      Path dataRoot,
      Path logDir,
      List<String> nodeFlags,
      boolean partitions) {
    this.nodes = List.copyOf(nodes);
    this.jar = jar;
    this.dataRoot = dataRoot;
    this.logDir = logDir;
    this.nodeFlags = List.copyOf(nodeFlags);
    this.partitions = partitions;
    this.processes = new NodeProcess[nodes.size()];
  }

  int size() {
    return nodes.size();
  }

  List<String> urls() {
    return nodes.stream().map(NodeSpec::url).toList();
  }

  String url(int i) {
    return nodes.get(i).url();
  }

  NodeSpec node(int i) {
    return nodes.get(i);
  }

  boolean running(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  Path log(int i) {
    return logDir.resolve("node" + i + ".log");
  }

  void start(int i) {
    if (running(i)) {
      throw new IllegalStateException("node " + i + " is running");
    }
    NodeSpec n = nodes.get(i);
    Path data = dataRoot.resolve("node" + i);
    NodeLaunch.Builder launch =
        NodeLaunch.builder()
            // small heaps and C1 only: three nodes, the runner and a build share two cores
            .jvmOptions(
                List.of(
                    "-Xmx192m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:-UsePerfData",
                    "-Djava.io.tmpdir=" + data.resolve("tmp")))
            .jar(jar)
            .http(n.host() + ":" + n.httpPort())
            .raft(n.raft())
            .peers(nodes.stream().map(NodeSpec::raft).toList())
            .data(data.resolve("raft"))
            .nodeArgs(nodeFlags)
            .log(log(i))
            .stdinFromDevNull();
    try {
      Files.createDirectories(data.resolve("tmp"));
      if (n.uid() != null) {
        chownTree(data, n.uid());
        launch.runAs(n.uid());
      }
      Files.writeString(
          log(i),
          "=== chaos runner: start at " + Instant.now() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    processes[i] = launch.build().start();
  }

  private static void chownTree(Path dir, int uid) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.toList()) {
        Files.setAttribute(p, "unix:uid", uid);
        Files.setAttribute(p, "unix:gid", uid);
      }
    }
  }

  /** SIGKILL, as in a crash; waits for the process to be gone. */
  void kill(int i) {
    NodeProcess p = processes[i];
    if (p != null && p.isAlive()) {
      if (p.isStopped()) {
        signal(i, "CONT");
      }
      p.kill(KILL_WAIT);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
  void terminate(int i, Duration grace) {
    NodeProcess p = processes[i];
    if (p != null && p.isAlive()) {
      p.stop(grace, KILL_WAIT);
    }
  }

  /** Sends STOP or CONT to node {@code i}'s own PID. */
  void signal(int i, String signal) {
    if (running(i)) {
      processes[i].signal(signal);
    }
  }

  /** Drops every packet from node {@code from} to node {@code to} (one direction only). */
  void drop(int from, int to) {
    requirePartitions();
    run(
        List.of(
            "iptables",
            "-w",
            "-A",
            "INPUT",
            "-s",
            nodes.get(from).host(),
            "-d",
            nodes.get(to).host(),
            "-j",
            "DROP"));
  }

  /**
   * Makes node {@code i}'s address a black hole: every packet to it, and every packet it sends, is
   * dropped without an answer (DROP, not REJECT: no RST, no ICMP), from the other nodes and from
   * the clients alike — a cut cable, or a dead container whose address is still routed. Connects to
   * any of its ports hang until the caller's timeout. On loopback a packet passes OUTPUT and then
   * INPUT of this one namespace, so both rules sit in INPUT, where {@link #healNetwork} flushes
   * them; the node's own kernel still believes it sent what it sent. Both rules go in with one
   * {@code iptables-restore --noflush}, atomically: the fault starts at one instant.
   */
  void blackhole(int i) {
    requirePartitions();
    String host = nodes.get(i).host();
    run(
        List.of("iptables-restore", "-w", "--noflush"),
        String.join(
            "\n",
            "*filter",
            "-A INPUT -d " + host + " -j DROP",
            "-A INPUT -s " + host + " -j DROP",
            "COMMIT",
            ""));
  }

  /** Removes every rule this runner added (the namespace's INPUT chain only). */
  void healNetwork() {
    if (partitions) {
      run(List.of("iptables", "-w", "-F", "INPUT"));
    }
  }

  boolean partitionsAvailable() {
    return partitions;
  }

  private void requirePartitions() {
    if (!partitions) {
      throw new IllegalStateException("network partitions need the network namespace");
    }
  }

  private static void run(List<String> cmd) {
    run(cmd, "");
  }

  private static void run(List<String> cmd, String input) {
    Commands.run(cmd, input, COMMAND_TIMEOUT);
  }

  /** GET on one node with a short timeout; empty when it does not answer in time. */
  Optional<JsonNode> get(int i, String path) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url(i) + path))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Optional.of(History.JSON.readTree(r.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Asks the current leader to hand leadership to another node (POST /cluster/transfer-leader);
   * true when it answered that another node now leads.
   */
  boolean transferLeadership() {
    Optional<Integer> leader = leader();
    if (leader.isEmpty()) {
      return false;
    }
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url(leader.get()) + "/cluster/transfer-leader"))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(""))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return History.JSON.readTree(r.body()).path("code").asInt(-1) == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The index of the node every running node names as leader, if they agree and it says so. */
  Optional<Integer> leader() {
    String agreed = null;
    Integer leader = null;
    for (int i = 0; i < nodes.size(); i++) {
      if (!running(i)) {
        continue;
      }
      Optional<JsonNode> s = get(i, "/cluster/status");
      if (s.isEmpty()) {
        return Optional.empty();
      }
      JsonNode d = s.get().path("data");
      String l = d.path("leader").isNull() ? null : d.path("leader").asText(null);
      if (l == null || (agreed != null && !agreed.equals(l))) {
        return Optional.empty();
      }
      agreed = l;
      if ("leader".equals(d.path("role").asText())) {
        leader = i;
      }
    }
    return Optional.ofNullable(leader);
  }

  /** True when every node runs, answers /ready with 200, and all agree on one leader. */
  boolean healthy() {
    for (int i = 0; i < nodes.size(); i++) {
      if (!running(i)) {
        return false;
      }
      Optional<JsonNode> r = get(i, "/ready");
      if (r.isEmpty() || r.get().path("code").asInt(-1) != 0) {
        return false;
      }
    }
    return leader().isPresent();
  }

  /** Waits until {@link #healthy()}; false if it did not happen in time. */
  boolean awaitHealthy(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (healthy()) {
        return true;
      }
      NodeClient.pause(200);
    }
    return false;
  }

  /** Why node {@code i} is not ready (for the report). */
  String readiness(int i) {
    if (!running(i)) {
      return "not running"
          + (processes[i] == null ? "" : " (exit " + processes[i].exitValue() + ")");
    }
    return get(i, "/ready").map(JsonNode::toString).orElse("no answer");
  }

  /** PIDs of the node processes now running (for the report). */
  Map<Integer, Long> pids() {
    Map<Integer, Long> pids = new java.util.TreeMap<>();
    for (int i = 0; i < processes.length; i++) {
      if (running(i)) {
        pids.put(i, processes[i].pid());
      }
    }
    return pids;
  }

  @Override
  public void close() {
    healNetwork();
    for (int i = 0; i < processes.length; i++) {
      kill(i);
    }
  }
}
