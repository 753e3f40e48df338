package dev.roster.node.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One chaos run, as its own process: starts three nodes, then for each round runs the workload,
 * injects one fault, heals it, waits for the cluster to recover and checks the round's history.
 * Launched by {@link ChaosIT} — inside the run's network namespace when there is one, so that the
 * nodes, the clients and the iptables rules all live there.
 *
 * <p>Writes to {@code --results}: {@code history.jsonl} (every operation and fault event), {@code
 * report.json} and {@code report.md} (rounds, faults, operations, anomalies), one file per
 * non-linearizable instance, and the nodes' logs. Prints one line per round to stdout.
 *
 * <p>With {@code --failover-trials N} it runs the failover benchmark ({@link FailoverTrials}) under
 * {@code --failover-fault} on the same three nodes instead of the rounds.
 */
public final class ChaosRunner {
  /** Settings every node gets: fast elections, eviction on (but never for a renewing instance). */
  static final List<String> NODE_FLAGS =
      List.of(
          "--election-timeout", "1000ms",
          "--renew-interval", "1s",
          "--evict-interval", "1s",
          "--expire", "20s",
          "--evict-ceiling", "40s",
          "--poll-hold", "5s",
          "--shutdown-grace", "3s",
          "--snapshot-interval", "5s");

  static final long EXPIRE_NANOS = TimeUnit.SECONDS.toNanos(20);

  private final Map<String, String> args;
  private final Path results;
  private final Random random;
  private final long seed;
  private final int clients;
  private final int keysPerClient;
  private final Duration warmup;
  private final Duration after;

  private ChaosRunner(Map<String, String> args) {
    this.args = args;
    this.results = Path.of(args.get("results"));
    this.seed = Long.parseLong(args.getOrDefault("seed", "1"));
    this.random = new Random(seed);
    this.clients = Integer.parseInt(args.getOrDefault("clients", "6"));
    this.keysPerClient = Integer.parseInt(args.getOrDefault("keys", "4"));
    this.warmup = Duration.ofMillis(Long.parseLong(args.getOrDefault("warmup-ms", "2500")));
    this.after = Duration.ofMillis(Long.parseLong(args.getOrDefault("after-ms", "4000")));
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    int code = new ChaosRunner(args).run();
    System.exit(code);
  }

  private int run() throws Exception {
    Files.createDirectories(results);
    boolean partitions = args.containsKey("netns");
    if (partitions) {
      // never touch the host's rules: refuse unless we really are inside another namespace
      String here = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      if (here.equals(args.get("host-netns"))) {
        System.err.println(
            "refusing to run: this process is in the host's network namespace " + here);
        return 2;
      }
    }
    List<ChaosCluster.NodeSpec> specs = new ArrayList<>();
    if (partitions) {
      String[] hosts = args.get("hosts").split(",");
      String[] uids = args.get("uids").split(",");
      for (int i = 0; i < hosts.length; i++) {
        // distinct ports too: JRaft's RPC server (bolt) binds the port on every address
        specs.add(
            new ChaosCluster.NodeSpec(hosts[i], 7171 + i, 7271 + i, Integer.parseInt(uids[i])));
      }
    } else {
      for (int i = 0; i < 3; i++) {
        specs.add(
            new ChaosCluster.NodeSpec(
                "127.0.0.1", TestCluster.freePort(), TestCluster.freePort(), null));
      }
    }
    List<Fault> plan = plan();
    Path dataRoot = Path.of(args.getOrDefault("data", results.resolve("data").toString()));
    ObjectNode report = History.JSON.createObjectNode();
    report.put("started", Instant.now().toString());
    report.put("mode", partitions ? "network-namespace" : "process-faults-only");
    report.put("namespace", args.getOrDefault("netns", null));
    report.put("seed", seed);
    report.put("clients", clients);
    report.put("instances_per_client", keysPerClient);
    report.set("node_flags", History.JSON.valueToTree(NODE_FLAGS));
    ArrayNode rounds = report.putArray("rounds");
    long runStart = System.nanoTime();
    try (History history = new History(results.resolve("history.jsonl"));
        ChaosCluster cluster =
            new ChaosCluster(
                specs, Path.of(args.get("jar")), dataRoot, results, NODE_FLAGS, partitions)) {
      for (int i = 0; i < cluster.size(); i++) {
        cluster.start(i);
      }
      if (!cluster.awaitHealthy(Duration.ofSeconds(120))) {
        System.err.println("cluster did not become healthy: " + readiness(cluster));
        return 3;
      }
      if (args.containsKey("failover-trials")) {
        Fault fault = Fault.byLabel(args.getOrDefault("failover-fault", Fault.KILL_LEADER.label));
        if (fault.needsNetwork && !partitions) {
          System.err.println("failover under " + fault.label + " needs the network namespace");
          return 2;
        }
        return new FailoverTrials(
                cluster, fault, Integer.parseInt(args.get("failover-trials")), results, random)
            .run();
      }
      for (int r = 1; r <= plan.size(); r++) {
        ObjectNode result = round(r, plan.get(r - 1), cluster, history, partitions);
        rounds.add(result);
        writeReport(report, runStart);
        System.out.println(progressLine(result));
        System.out.flush();
      }
    }
    report.put("finished", Instant.now().toString());
    writeReport(report, runStart);
    return 0;
  }

  private List<Fault> plan() {
    List<Fault> faults = new ArrayList<>();
    for (String f : args.getOrDefault("faults", allLabels()).split(",")) {
      faults.add(Fault.byLabel(f.trim()));
    }
    if (!args.containsKey("rounds")) {
      return faults;
    }
    int n = Integer.parseInt(args.get("rounds"));
    List<Fault> plan = new ArrayList<>();
    List<Fault> deck = new ArrayList<>();
    while (plan.size() < n) {
      if (deck.isEmpty()) {
        deck.addAll(faults);
        java.util.Collections.shuffle(deck, random);
      }
      plan.add(deck.remove(deck.size() - 1));
    }
    return plan;
  }

  static String allLabels() {
    return String.join(",", java.util.Arrays.stream(Fault.values()).map(f -> f.label).toList());
  }

  private ObjectNode round(
      int r, Fault fault, ChaosCluster cluster, History history, boolean partitions)
      throws Exception {
    ObjectNode result = History.JSON.createObjectNode();
    result.put("round", r).put("fault", fault.label);
    if (fault.needsNetwork && !partitions) {
      result.put("skipped", "needs the network namespace (root, ip netns, iptables)");
      return result;
    }
    long start = System.nanoTime();
    List<Anomaly> anomalies = new ArrayList<>();
    history.event(r, "round", fault.label);
    if (!cluster.awaitHealthy(Duration.ofSeconds(90))) {
      anomalies.add(
          new Anomaly(
              r,
              Anomaly.NOT_RECOVERED,
              null,
              "cluster not healthy before the round: " + readiness(cluster),
              List.of()));
    }
    int leader = cluster.leader().orElse(0);
    Workload workload =
        new Workload(cluster.urls(), history, r, clients, keysPerClient, seed * 1000 + r);
    workload.start(Duration.ofSeconds(120));
    NodeClient.pause(warmup.toMillis());
    leader = cluster.leader().orElse(leader);
    Fault.Injected injected = fault.inject(cluster, leader, random);
    history.event(r, "fault", injected.detail());
    long faultAt = System.nanoTime();
    NodeClient.pause(fault.holdFor(random).toMillis());
    String healed = injected.heal().get();
    history.event(r, "heal", healed);
    long healAt = System.nanoTime();
    NodeClient.pause(after.toMillis());
    workload.stopAndJoin();
    long workloadEnd = System.nanoTime();

    if (!cluster.awaitHealthy(Duration.ofSeconds(90))) {
      anomalies.add(
          new Anomaly(
              r,
              Anomaly.NOT_RECOVERED,
              null,
              "cluster not healthy 90 s after the heal: " + readiness(cluster),
              List.of()));
    }
    long recoveredAt = System.nanoTime();
    NodeClient reader = new NodeClient(cluster.urls(), Duration.ofSeconds(5));
    for (int i = 0; i < cluster.size(); i++) {
      if (!finalRead(workload, reader, i)) {
        anomalies.add(
            new Anomaly(
                r,
                Anomaly.NOT_RECOVERED,
                null,
                "node n"
                    + i
                    + " could not serve a consistent read within 30 s: "
                    + cluster.readiness(i),
                List.of()));
      }
    }
    ObjectNode convergence = converge(r, cluster, anomalies);
    List<Op> ops = history.drainRound();
    long checkStart = System.nanoTime();
    RoundChecks checks = new RoundChecks(r, ops, workload.hosts(), EXPIRE_NANOS);
    anomalies.addAll(checks.run());
    long checkNanos = System.nanoTime() - checkStart;
    for (var f : checks.failures().entrySet()) {
      writeFailure(r, f.getKey(), f.getValue(), ops);
    }

    result.put("detail", injected.detail() + "; healed: " + healed);
    result.put("operations", ops.size());
    Map<String, Integer> outcomes = new TreeMap<>();
    Map<String, Integer> kinds = new TreeMap<>();
    for (Op op : ops) {
      outcomes.merge(op.outcome(), 1, Integer::sum);
      kinds.merge(op.kind(), 1, Integer::sum);
    }
    result.set("outcomes", History.JSON.valueToTree(outcomes));
    result.set("kinds", History.JSON.valueToTree(kinds));
    RoundChecks.Summary s = checks.summary();
    result.put("instances_checked", s.instancesChecked());
    result.put("linearizability_ops", s.linearizabilityOps());
    result.put("search_steps", s.searchSteps());
    result.put("at_risk_of_eviction", s.atRisk());
    result.set("excused_as_evicted", History.JSON.valueToTree(checks.excused()));
    result.set("convergence", convergence);
    result.put("fault_ms", (healAt - faultAt) / 1_000_000);
    result.put("recovery_ms", (recoveredAt - workloadEnd) / 1_000_000);
    result.put("check_ms", checkNanos / 1_000_000);
    result.put("round_ms", (System.nanoTime() - start) / 1_000_000);
    result.set("anomalies", History.JSON.valueToTree(anomalies));
    return result;
  }

  /** The final consistent read of a round on node {@code i}: retried until it answers (30 s). */
  private boolean finalRead(Workload workload, NodeClient reader, int i) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      Op op = workload.consistentRead(reader, -1, i);
      if (op.outcome().equals(Op.OK) || op.outcome().equals(Op.NOT_FOUND)) {
        return true;
      }
      NodeClient.pause(200);
    }
    return false;
  }

  /**
   * Polls every node's digest until all report the same applied index; two different digests at one
   * index mean the replicas diverged.
   */
  private ObjectNode converge(int r, ChaosCluster cluster, List<Anomaly> anomalies) {
    ObjectNode out = History.JSON.createObjectNode();
    Map<Long, Map<Integer, String>> seen = new HashMap<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int polls = 0;
    while (System.nanoTime() < end) {
      polls++;
      for (int i = 0; i < cluster.size(); i++) {
        Optional<JsonNode> d = cluster.get(i, "/cluster/digest");
        if (d.isEmpty() || d.get().path("code").asInt(-1) != 0) {
          continue;
        }
        JsonNode data = d.get().path("data");
        seen.computeIfAbsent(data.path("applied_index").asLong(), k -> new TreeMap<>())
            .put(i, data.path("digest").asText());
      }
      for (var e : seen.entrySet()) {
        if (e.getValue().values().stream().distinct().count() > 1) {
          anomalies.add(
              new Anomaly(
                  r,
                  Anomaly.DIVERGED,
                  null,
                  "different digests at applied index " + e.getKey() + ": " + e.getValue(),
                  List.of()));
          out.put("diverged_at", e.getKey());
          return out;
        }
        if (e.getValue().size() == cluster.size()) {
          out.put("applied_index", e.getKey());
          out.put("digest", e.getValue().values().iterator().next());
          out.put("polls", polls);
          return out;
        }
      }
      NodeClient.pause(50);
    }
    anomalies.add(
        new Anomaly(
            r,
            Anomaly.NOT_CONVERGED,
            null,
            "nodes never reported the same applied index within 60 s (indexes seen: "
                + seen.keySet()
                + ")",
            List.of()));
    return out;
  }

  /** One non-linearizable instance: its ops in invocation order, and where the search got stuck. */
  private void writeFailure(int r, String host, Linearizability.Result result, List<Op> ops)
      throws IOException {
    Path file = results.resolve("round-" + r + "-" + host + ".jsonl");
    List<String> lines = new ArrayList<>();
    ObjectNode head = History.JSON.createObjectNode();
    head.put("instance", host)
        .put("linearizable", false)
        .put("stuck_at_op", result.stuckAt() == null ? null : result.stuckAt().id());
    ArrayNode order = head.putArray("longest_linearization");
    result.deepestOrder().forEach(o -> order.add(o.id()));
    lines.add(head.toString());
    ops.stream()
        .filter(o -> host.equals(o.host()) || o.kind().equals(Op.CREAD))
        .sorted(java.util.Comparator.comparingLong(Op::invoke))
        .forEach(o -> lines.add(History.JSON.valueToTree(o).toString()));
    Files.write(file, lines);
  }

  private static String readiness(ChaosCluster cluster) {
    Map<String, String> r = new LinkedHashMap<>();
    for (int i = 0; i < cluster.size(); i++) {
      r.put("n" + i, cluster.readiness(i));
    }
    return r.toString();
  }

  private void writeReport(ObjectNode report, long runStart) throws IOException {
    report.put("elapsed_s", (System.nanoTime() - runStart) / 1_000_000_000.0);
    Files.writeString(
        results.resolve("report.json"),
        History.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    Files.writeString(results.resolve("report.md"), ChaosReport.markdown(report));
  }

  static String progressLine(JsonNode round) {
    if (round.has("skipped")) {
      return String.format(
          "round %d %-18s skipped: %s",
          round.path("round").asInt(),
          round.path("fault").asText(),
          round.path("skipped").asText());
    }
    return String.format(
        "round %d %-18s ops=%d %s anomalies=%d round=%.1fs check=%dms",
        round.path("round").asInt(),
        round.path("fault").asText(),
        round.path("operations").asInt(),
        round.path("outcomes"),
        round.path("anomalies").size(),
        round.path("round_ms").asLong() / 1000.0,
        round.path("check_ms").asLong());
  }
}
