package dev.roster.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Memory and restart with a large registry: register --instances (1 000 000) as fast as the leader
 * takes them, then per node the live heap after a full GC (jcmd), a snapshot on each node (POST
 * /cluster/snapshot and the node's own "snapshot at index N saved: M instances in X ms" line), and
 * restart-to-ready times: a follower restarted before the snapshot (replays the whole log), a
 * follower after it (SIGTERM and kill -9), and the whole cluster.
 */
@Command(
    name = "memory",
    mixinStandardHelpOptions = true,
    description = "Heap with --instances registered, snapshot time, restart-to-ready time.")
final class Memory implements Callable<Integer> {
  @Mixin Bench.ClusterOptions co = new Bench.ClusterOptions();

  @Option(names = "--instances", description = "Instances to register (default ${DEFAULT-VALUE}).")
  int instances = 1_000_000;

  @Option(
      names = "--apps",
      description = "Applications they are spread over (default ${DEFAULT-VALUE}).")
  int apps = 10_000;

  @Option(
      names = "--concurrency",
      description = "Concurrent registers in flight (default ${DEFAULT-VALUE}).")
  int concurrency = 128;

  @Option(
      names = "--max-seconds",
      description = "Stop registering after this many seconds (default ${DEFAULT-VALUE}).")
  long maxSeconds = 1800;

  // picocli: a negatable option that is true by default needs defaultValue = "true" (with only a
  // field initializer, --no-restart-before-snapshot left it true)
  @Option(
      names = "--restart-before-snapshot",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Also restart a follower before the benchmark's snapshots: it replays the log since "
              + "its last automatic snapshot, or the whole log if it took none (default ${DEFAULT-VALUE}).")
  boolean restartBeforeSnapshot;

  @Option(
      names = "--renew-rounds",
      description =
          "After registering, renew every instance this many times, "
              + "so the restarts replay renews too (default ${DEFAULT-VALUE}).")
  int renewRounds = 0;

  @Option(names = "--env", description = "env of the instances (default ${DEFAULT-VALUE}).")
  String env = "mem";

  private static final Pattern SAVED =
      Pattern.compile("snapshot at index (\\d+) saved: (\\d+) instances in (\\d+) ms");
  private static final Pattern LOADED =
      Pattern.compile(
          "snapshot at index (\\d+) loaded: (\\d+) instances in (\\d+) ms \\(file read in (\\d+) ms\\)");
  private static final String DEFAULT_OPTS = "-Xmx1536m -Xlog:gc:file={dir}/gc-%p.log";

  @Override
  public Integer call() throws Exception {
    Path out = co.out("memory");
    Report rep = new Report().put("command", "memory").put("date", Instant.now().toString());
    Load load = new Load(env, "mem.app.", instances, apps);
    try (Cluster c = co.open("memory", DEFAULT_OPTS);
        Http http = new Http(2)) {
      rep.put("cluster", c.describe())
          .put(
              "java_opts",
              co.launches() ? (co.javaOpts != null ? co.javaOpts : DEFAULT_OPTS) : "(external)");
      int leader = Control.awaitLeader(c, 10_000);
      co.quiet();
      Bench.say(
          "memory: registering %d instances over %d applications on %s",
          instances, apps, c.url(leader));
      try (Writer w = new Writer(http, c.url(leader), concurrency, 15_000)) {
        rep.put("register", load.registerAll(w, concurrency, 0, maxSeconds));
        List<Object> rounds = new ArrayList<>();
        for (int k = 0; k < renewRounds; k++) {
          rounds.add(load.renewAll(w, concurrency, maxSeconds));
        }
        rep.put("renew_rounds", rounds);
      }
      long expected = -1;
      for (int i = 0; i < c.size(); i++) { // every node has applied them
        long deadline = System.nanoTime() + 120_000_000_000L;
        long n;
        while ((n = Control.instances(c.url(i))) < instances && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        expected = Math.max(expected, n);
      }
      final long total = expected;
      Bench.say("every node holds %d instances (including the nodes' own)", total);
      rep.put("instances_per_node", total);

      List<Object> heaps = new ArrayList<>();
      for (int i = 0; i < c.size(); i++) {
        heaps.add(heap(c, i, leader, "after register"));
      }
      rep.put("heap", heaps);

      int follower = (leader + 1) % c.size();
      rep.put("idle_before_restarts", co.quiet());
      if (restartBeforeSnapshot) {
        rep.put(
            "restart_follower_no_snapshot",
            restart(
                c,
                follower,
                false,
                total,
                "follower, before the benchmark's snapshots (replays the log since any automatic one)"));
        leader = Control.awaitLeader(c, 10_000);
        follower = (leader + 1) % c.size();
      }

      List<Object> snaps = new ArrayList<>();
      for (int k = 1; k <= c.size(); k++) { // followers first, the leader last
        int i = (leader + k) % c.size();
        long t0 = System.nanoTime();
        Http.Resp r = Control.call("POST", c.url(i) + "/cluster/snapshot", "", 300_000);
        long callMs = (System.nanoTime() - t0) / 1_000_000;
        Report s =
            new Report()
                .put("node", i + 1)
                .put("role", i == leader ? "leader" : "follower")
                .put("call_ms", callMs)
                .put("code", r == null ? null : r.code());
        Matcher m = lastMatch(c.log(i), SAVED);
        if (m != null) {
          s.put("log_index", Long.parseLong(m.group(1)))
              .put("log_instances", Long.parseLong(m.group(2)))
              .put("log_write_ms", Long.parseLong(m.group(3)));
        }
        String dir = r == null ? null : Json.stringField(r.body(), "snapshot_dir");
        if (dir != null) {
          s.put("snapshot_mib", sizeMiB(Path.of(dir)));
        }
        snaps.add(s);
        Bench.say(
            "snapshot node %d (%s): %d ms for the call%s",
            i + 1,
            i == leader ? "leader" : "follower",
            callMs,
            m == null ? "" : ", node log: " + m.group(0));
      }
      rep.put("snapshot", snaps);

      rep.put(
          "restart_follower_sigterm",
          restart(c, follower, false, total, "follower after snapshot, SIGTERM"));
      rep.put(
          "restart_follower_kill9",
          restart(c, follower, true, total, "follower after snapshot, kill -9"));
      rep.put(
          "heap_after_restart",
          heap(c, follower, Control.awaitLeader(c, 10_000), "after restart from the snapshot"));

      // the whole cluster
      long t0 = System.nanoTime();
      for (int i = 0; i < c.size(); i++) {
        c.terminate(i);
      }
      long stopped = (System.nanoTime() - t0) / 1_000_000;
      long t1 = System.nanoTime();
      for (int i = 0; i < c.size(); i++) {
        c.start(i);
      }
      Control.awaitAllReady(c, 120_000);
      long allReady = (System.nanoTime() - t1) / 1_000_000;
      long n = Control.instances(c.url(0));
      List<Object> loads = new ArrayList<>();
      for (int i = 0; i < c.size(); i++) {
        Matcher loaded = lastMatch(c.log(i), LOADED);
        loads.add(loaded == null ? null : Long.parseLong(loaded.group(3)));
      }
      rep.put(
          "restart_cluster",
          new Report()
              .put("stop_ms", stopped)
              .put("start_to_all_ready_ms", allReady)
              .put("instances", n)
              .put("log_snapshot_load_ms", loads));
      Bench.say(
          "whole cluster: stopped in %d ms, all ready %d ms after start, %d instances; node logs: snapshots loaded in %s ms",
          stopped, allReady, n, loads);
    }
    Path file = out.resolve("memory.json");
    rep.writeTo(file);
    Bench.say("wrote %s", file);
    return 0;
  }

  private Report heap(Cluster c, int i, int leader, String when) {
    long pid = c.pid(i);
    Report r =
        new Report()
            .put("node", i + 1)
            .put("role", i == leader ? "leader" : "follower")
            .put("when", when);
    if (pid < 0) {
      return r.put("error", "pid unknown");
    }
    double[] h = Proc.liveHeapMiB(pid);
    r.put("live_heap_mib", h == null ? null : h[0])
        .put("heap_committed_mib", h == null ? null : h[1])
        .put("rss_mib", Proc.rssMiB(pid));
    Bench.say(
        "node %d (%s) %s: live heap %s MiB after full GC, committed %s MiB, RSS %.0f MiB",
        i + 1,
        i == leader ? "leader" : "follower",
        when,
        h == null ? "?" : String.format("%.0f", h[0]),
        h == null ? "?" : String.format("%.0f", h[1]),
        Proc.rssMiB(pid));
    return r;
  }

  /**
   * Stops node i (SIGTERM or kill -9), starts it, and times start -> /ready and -> all instances
   * readable.
   */
  private Report restart(Cluster c, int i, boolean kill9, long expected, String what)
      throws InterruptedException {
    if (kill9) {
      c.kill9(i);
    } else {
      c.terminate(i);
    }
    long t0 = System.nanoTime();
    c.start(i);
    long ready = Control.awaitReady(c, i, 300_000);
    long n;
    while ((n = Control.instances(c.url(i))) < expected
        && System.nanoTime() - t0 < 300_000_000_000L) {
      Thread.sleep(50);
    }
    long full = (System.nanoTime() - t0) / 1_000_000;
    Report r =
        new Report()
            .put("node", i + 1)
            .put("how", what)
            .put("start_to_ready_ms", ready)
            .put("start_to_all_instances_ms", full)
            .put("instances", n);
    Matcher loaded = lastMatch(c.log(i), LOADED);
    String load = "";
    if (loaded != null) {
      r.put("log_snapshot_load_ms", Long.parseLong(loaded.group(3)))
          .put("log_snapshot_read_ms", Long.parseLong(loaded.group(4)));
      load =
          String.format(
              "; node log: snapshot loaded in %s ms (file read %s ms)",
              loaded.group(3), loaded.group(4));
    }
    Bench.say(
        "restart %s (node %d): ready %d ms after start, %d instances readable after %d ms%s",
        what, i + 1, ready, n, full, load);
    return r;
  }

  /** The last line of a node's log that matches {@code pattern}, or null. */
  private static Matcher lastMatch(Path log, Pattern pattern) {
    if (log == null || !Files.isRegularFile(log)) {
      return null;
    }
    try (Stream<String> lines = Files.lines(log)) {
      Matcher last = null;
      for (String l : (Iterable<String>) lines::iterator) {
        Matcher m = pattern.matcher(l);
        if (m.find()) {
          last = m;
        }
      }
      return last;
    } catch (IOException | java.io.UncheckedIOException e) {
      return null;
    }
  }

  private static double sizeMiB(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum()
          / (1024.0 * 1024.0);
    } catch (IOException e) {
      return -1;
    }
  }
}
