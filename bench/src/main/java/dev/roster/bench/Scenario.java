package dev.roster.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * N instances over M applications: a register ramp, then K long polls parked on one node, then a
 * steady phase with renews at N / renew-interval and changes (re-registrations) at a fixed rate,
 * measuring renew latency and how long after a change its pollers get their answer.
 */
@Command(
    name = "scenario",
    mixinStandardHelpOptions = true,
    description = {
      "Register ramp, steady renews at N/renew-interval, K parked polls woken by changes.",
      "Wake-up latency = poll answer received - the change's commit timestamp (the leader's stamp, same"
          + " clock; includes the commit), and - the time the change was sent."
    })
final class Scenario implements Callable<Integer> {
  @Mixin Bench.ClusterOptions co = new Bench.ClusterOptions();

  @Option(names = "--instances", description = "N simulated instances (default ${DEFAULT-VALUE}).")
  int instances = 10_000;

  @Option(
      names = "--apps",
      description = "M applications the instances are spread over (default ${DEFAULT-VALUE}).")
  int apps = 100;

  @Option(
      names = "--renew-interval",
      description =
          "Each instance renews once per interval: N/interval renews/s (default ${DEFAULT-VALUE}).")
  Duration renewInterval = Duration.ofSeconds(30);

  @Option(
      names = "--polls",
      description =
          "K long polls parked on one node, poll j on application j %% M (default ${DEFAULT-VALUE}).")
  int polls = 10_000;

  @Option(
      names = "--poll-node",
      description =
          "Where the polls park: follower, leader or a node number 1-3 (default ${DEFAULT-VALUE}).")
  String pollNode = "follower";

  @Option(
      names = "--change-rate",
      description =
          "Changes per second, round-robin over the applications (default ${DEFAULT-VALUE}).")
  double changeRate = 2;

  @Option(
      names = "--duration",
      description = "Length of the steady phase (default ${DEFAULT-VALUE}).")
  Duration duration = Duration.ofSeconds(60);

  @Option(
      names = "--warmup",
      description =
          "Unrecorded phase with the same load before the measured one (default ${DEFAULT-VALUE}).")
  Duration warmup = Duration.ofSeconds(20);

  @Option(
      names = "--hold",
      description =
          "Poll hold; a poll not woken within it answers -304 and polls again (default ${DEFAULT-VALUE}).")
  Duration hold = Duration.ofSeconds(30);

  @Option(
      names = "--concurrency",
      description =
          "Connections to the leader for registers, renews and changes (default ${DEFAULT-VALUE}).")
  int concurrency = 64;

  @Option(
      names = "--ramp-rate",
      description =
          "Registers per second during the ramp; 0 = as fast as --concurrency allows (default ${DEFAULT-VALUE}).")
  double rampRate = 0;

  @Option(
      names = "--env",
      description = "env of the simulated instances (default ${DEFAULT-VALUE}).")
  String env = "sim";

  @Option(names = "--app-prefix", description = "appid prefix (default ${DEFAULT-VALUE}).")
  String appPrefix = "sim.app.";

  private static final Executor RETRY =
      CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);

  private volatile boolean running = true;
  private volatile boolean measuring;
  private final AtomicInteger parked = new AtomicInteger();
  private final AtomicLong wakes = new AtomicLong();
  private final AtomicLong expectedWakes = new AtomicLong();
  private final AtomicLong pollTimeouts = new AtomicLong();
  private final AtomicLong pollErrors = new AtomicLong();
  private final AtomicLong pollAnswers = new AtomicLong();
  private final Latency wakeSinceStamp = new Latency();
  private final Latency wakeSinceSend = new Latency();
  private AtomicLongArray changeSent;
  private int[] pollersOnApp;
  private Http http;
  private String pollUrl;
  private Load load;

  private final class Poller {
    final int app;
    Http.Conn conn;
    long latest;
    boolean counted;

    Poller(int app, Http.Conn conn) {
      this.app = app;
      this.conn = conn;
    }
  }

  private static long wallNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private void poll(Poller p) {
    if (!running) {
      return;
    }
    String q =
        "/discovery/poll?env="
            + env
            + "&appid="
            + load.appid(p.app)
            + "&latest_timestamp="
            + p.latest
            + "&hold="
            + hold.toMillis();
    p.conn.send("GET", q, null, hold.toMillis() + 15_000).whenComplete((r, e) -> answered(p, r, e));
  }

  private void answered(Poller p, Http.Resp r, Throwable e) {
    long now = System.nanoTime();
    long wall = wallNanos();
    if (!running) {
      return;
    }
    if (e != null) {
      pollErrors.incrementAndGet();
      CompletableFuture.runAsync(
          () ->
              http.connect(pollUrl)
                  .whenComplete(
                      (c, ce) -> {
                        if (ce == null) {
                          p.conn = c;
                        }
                        poll(p);
                      }),
          RETRY);
      return;
    }
    pollAnswers.incrementAndGet();
    int code = r.code();
    if (code == 0) {
      long l = Json.lastLatestTimestamp(r.body());
      if (measuring && p.latest != 0 && l > p.latest) {
        wakes.incrementAndGet();
        wakeSinceStamp.recordNanos(wall - l);
        long sent = changeSent.get(p.app);
        if (sent != 0) {
          wakeSinceSend.recordNanos(now - sent);
        }
      }
      if (l > 0) {
        p.latest = l;
      }
      if (!p.counted) {
        p.counted = true;
        parked.incrementAndGet();
      }
      poll(p);
    } else if (code == -304) {
      pollTimeouts.incrementAndGet();
      poll(p);
    } else {
      pollErrors.incrementAndGet();
      CompletableFuture.runAsync(() -> poll(p), RETRY);
    }
  }

  @Override
  public Integer call() throws Exception {
    load = new Load(env, appPrefix, instances, apps);
    changeSent = new AtomicLongArray(apps);
    Path out = co.out("scenario");
    Report rep = new Report().put("command", "scenario").put("date", Instant.now().toString());
    rep.put(
        "params",
        new Report()
            .put("instances", instances)
            .put("apps", apps)
            .put("renew_interval_s", renewInterval.toMillis() / 1000.0)
            .put("polls", polls)
            .put("poll_node", pollNode)
            .put("change_rate_per_s", changeRate)
            .put("duration_s", duration.toSeconds())
            .put("warmup_s", warmup.toSeconds())
            .put("hold_ms", hold.toMillis())
            .put("concurrency", concurrency)
            .put("ramp_rate", rampRate));
    List<Poller> pollers = new ArrayList<>();
    try (Cluster c = co.open("scenario", "-Xmx512m");
        Http h = new Http(2)) {
      http = h;
      rep.put("cluster", c.describe());
      int leader = Control.awaitLeader(c, 10_000);
      int pollIdx =
          switch (pollNode) {
            case "leader" -> leader;
            case "follower" -> (leader + 1) % c.size();
            default -> Integer.parseInt(pollNode) - 1;
          };
      pollUrl = c.url(pollIdx);
      try (Writer w = new Writer(h, c.url(leader), concurrency, 10_000)) {
        // 1. register ramp
        Bench.say(
            "scenario: registering %d instances over %d applications on the leader %s",
            instances, apps, c.url(leader));
        rep.put("register", load.registerAll(w, concurrency, rampRate, 3600));

        // 2. park the polls
        Bench.say(
            "parking %d polls on node %d (%s, %s)",
            polls, pollIdx + 1, pollUrl, pollIdx == leader ? "leader" : "follower");
        long t0 = System.nanoTime();
        for (int from = 0; from < polls; from += 500) {
          List<CompletableFuture<Http.Conn>> conns = new ArrayList<>();
          for (int j = from; j < Math.min(polls, from + 500); j++) {
            conns.add(h.connect(pollUrl));
          }
          for (int j = 0; j < conns.size(); j++) {
            Poller p = new Poller((from + j) % apps, conns.get(j).get(10, TimeUnit.SECONDS));
            pollers.add(p);
            poll(p);
          }
        }
        long parkDeadline = System.nanoTime() + 120_000_000_000L;
        while (parked.get() < polls && System.nanoTime() < parkDeadline) {
          Thread.sleep(50);
        }
        double parkSecs = (System.nanoTime() - t0) / 1e9;
        Bench.say("%d of %d polls parked in %.1f s", parked.get(), polls, parkSecs);
        rep.put(
            "polls",
            new Report()
                .put("node", pollIdx + 1)
                .put("node_role", pollIdx == leader ? "leader" : "follower")
                .put("parked", parked.get())
                .put("park_seconds", parkSecs));
        pollersOnApp = new int[apps];
        pollers.forEach(p -> pollersOnApp[p.app]++);

        // 3. warm-up, then the measured steady phase
        if (!warmup.isZero()) {
          steady(c, w, leader, warmup, false);
        }
        rep.put("steady", steady(c, w, leader, duration, true));
      } finally {
        running = false;
        pollers.forEach(p -> p.conn.close());
      }
    }
    Path file = out.resolve("scenario.json");
    rep.writeTo(file);
    Bench.say("wrote %s", file);
    return 0;
  }

  /**
   * One steady phase: renews at N / renew-interval and changes at --change-rate for {@code length}.
   * A warm-up phase ({@code measure} false) runs the same load and records nothing: the nodes' and
   * the driver's JIT compile the wake-up path there, not in the measurement.
   */
  private Report steady(Cluster c, Writer w, int leader, Duration length, boolean measure)
      throws Exception {
    double renewRate = instances / (renewInterval.toMillis() / 1000.0);
    Bench.say(
        "%s for %d s: %.0f renews/s, %.1f changes/s, %d parked polls",
        measure ? "steady" : "warm-up", length.toSeconds(), renewRate, changeRate, polls);
    double idleBefore = co.quiet();
    double[] cpu0 = cpu(c);
    double driver0 = Proc.cpuSeconds(ProcessHandle.current().pid());
    double busy0 = Proc.machineBusySeconds();
    Latency renewLat = new Latency();
    Latency changeLat = new Latency();
    AtomicLong renewErr = new AtomicLong();
    AtomicLong renewSent = new AtomicLong();
    AtomicLong changeErr = new AtomicLong();
    AtomicLong changeSentCount = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();
    String[] renewErrSample = new String[1];
    int perApp = instances / apps;
    wakes.set(0);
    expectedWakes.set(0);
    pollAnswers.set(0);
    pollTimeouts.set(0);
    pollErrors.set(0);
    measuring = measure;
    long start = System.nanoTime();
    long end = start + length.toNanos();
    Thread renews =
        Load.pacer(
            "renews",
            renewRate,
            start,
            end,
            (k, intended) -> {
              int i = (int) (k % instances);
              renewSent.incrementAndGet();
              inFlight.incrementAndGet();
              w.post("/discovery/renew", load.renewBody(i), 10_000)
                  .whenComplete(
                      (r, e) -> {
                        renewLat.recordNanos(
                            System.nanoTime()
                                - intended); // from the intended send time (open loop)
                        if (e != null || r.code() != 0) {
                          renewErr.incrementAndGet();
                          renewErrSample[0] = e != null ? e.toString() : r.body();
                        }
                        inFlight.decrementAndGet();
                      });
            });
    Thread changes =
        Load.pacer(
            "changes",
            changeRate,
            start,
            end,
            (k, intended) -> {
              int app = (int) (k % apps);
              int i = app + apps * (int) ((k / apps) % perApp);
              changeSentCount.incrementAndGet();
              inFlight.incrementAndGet();
              changeSent.set(app, System.nanoTime());
              w.post("/discovery/register", load.registerBody(i, "v" + (k + 2)), 10_000)
                  .whenComplete(
                      (r, e) -> {
                        changeLat.recordNanos(System.nanoTime() - intended);
                        if (e != null || r.code() != 0) {
                          changeErr.incrementAndGet();
                        } else {
                          expectedWakes.addAndGet(pollersOnApp[app]);
                        }
                        inFlight.decrementAndGet();
                      });
            });
    renews.join();
    changes.join();
    long drain = System.nanoTime() + 10_000_000_000L;
    while (inFlight.get() > 0 && System.nanoTime() < drain) {
      Thread.sleep(10);
    }
    Thread.sleep(
        Math.min(1000, 2 * (long) wakeSinceStamp.ms(99) + 100)); // late wakes of the last changes
    measuring = false;
    double secs = (System.nanoTime() - start) / 1e9;
    double[] cpu1 = cpu(c);
    double driver1 = Proc.cpuSeconds(ProcessHandle.current().pid());
    double busy1 = Proc.machineBusySeconds();
    double nodesCpu = 0;
    for (int i = 0; i < cpu0.length; i++) {
      nodesCpu += cpu0[i] < 0 ? 0 : cpu1[i] - cpu0[i];
    }
    double otherCpu = Math.max(0, (busy1 - busy0) - nodesCpu - (driver1 - driver0));

    Report steady = new Report().put("seconds", secs);
    steady.put(
        "renews",
        new Report()
            .put("target_rate_per_s", renewRate)
            .put("sent", renewSent.get())
            .put("errors", renewErr.get())
            .put("rate_per_s", renewSent.get() / secs)
            .put("latency_from_intended_send", renewLat.summary()));
    if (renewErrSample[0] != null) {
      steady.put("renew_error_sample", renewErrSample[0]);
    }
    steady.put(
        "changes",
        new Report()
            .put("sent", changeSentCount.get())
            .put("errors", changeErr.get())
            .put("ack_latency", changeLat.summary()));
    steady.put(
        "wakes",
        new Report()
            .put("count", wakes.get())
            .put("expected", expectedWakes.get())
            .put("since_commit_stamp", wakeSinceStamp.summary())
            .put("since_change_sent", wakeSinceSend.summary()));
    steady
        .put("poll_answers", pollAnswers.get())
        .put("poll_not_modified", pollTimeouts.get())
        .put("poll_errors", pollErrors.get());
    List<Object> nodes = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      nodes.add(
          new Report()
              .put("node", i + 1)
              .put("role", i == leader ? "leader" : "follower")
              .put("cpu_s", cpu0[i] < 0 ? null : cpu1[i] - cpu0[i]));
    }
    steady
        .put("node_cpu", nodes)
        .put("driver_cpu_s", driver1 - driver0)
        .put("other_cpu_s", otherCpu)
        .put("idle_before", idleBefore);
    if (!measure) {
      Bench.say(
          "warm-up done: %d renews, %d changes, %d wakes (not recorded)",
          renewSent.get(), changeSentCount.get(), wakes.get());
      return steady;
    }

    Bench.say(
        "renews:  %d sent (%.0f/s), %d errors; latency %s",
        renewSent.get(), renewSent.get() / secs, renewErr.get(), renewLat.line());
    Bench.say(
        "changes: %d sent, %d errors; ack %s",
        changeSentCount.get(), changeErr.get(), changeLat.line());
    Bench.say(
        "wakes:   %d of %d expected; since commit stamp %s",
        wakes.get(), expectedWakes.get(), wakeSinceStamp.line());
    Bench.say("         since change sent %s", wakeSinceSend.line());
    Bench.say(
        "polls:   %d answers, %d not-modified, %d errors",
        pollAnswers.get(), pollTimeouts.get(), pollErrors.get());
    Bench.say(
        "CPU-s:   nodes %s, driver %.1f, other processes %.1f (idle before %.2f)",
        nodes, driver1 - driver0, otherCpu, idleBefore);
    return steady;
  }

  private static double[] cpu(Cluster c) {
    double[] v = new double[c.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Proc.cpuSeconds(c.pid(i));
    }
    return v;
  }
}
