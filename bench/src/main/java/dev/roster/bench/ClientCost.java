package dev.roster.bench;

import dev.roster.client.Instance;
import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.Watch;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the Java client costs the application that embeds it: one {@link RosterClient} in this JVM
 * holding N registrations and one watch of M applications, against 3 nodes running as their own
 * processes (so this JVM's CPU and heap are the client's). For each N: a register ramp, then the
 * watch (one per application, sharing the client's one long poll), an unmeasured warm-up, then a
 * steady phase of renews at N / renew-interval, sampling live threads (all, and the client's by
 * name) and thread starts; CPU-ms per renew is this process's CPU over the renews the nodes
 * acknowledged (their {@code /metrics}); heap is after a full GC, less the heap before the client
 * was built.
 */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    description =
        "Cost of one Java client with N registrations and a watch of M apps: threads, CPU-ms per renew, heap.")
final class ClientCost implements Callable<Integer> {
  private static final Pattern RENEWS_OK =
      Pattern.compile("roster_http_requests_total\\{endpoint=\"[^\"]*renew\",code=\"0\"} (\\S+)");

  @Mixin Bench.ClusterOptions co = new Bench.ClusterOptions();

  @Option(
      names = "--registrations",
      split = ",",
      description = "Registration counts, one run each (default ${DEFAULT-VALUE}).")
  List<Integer> registrations = List.of(1_000, 10_000);

  @Option(
      names = "--apps",
      description =
          "Applications the registrations are spread over, all watched by one watch each (default ${DEFAULT-VALUE}).")
  int apps = 100;

  @Option(
      names = "--renew-interval",
      description = "The client's renewInterval (default ${DEFAULT-VALUE}).")
  Duration renewInterval = Duration.ofSeconds(2);

  @Option(
      names = "--warmup",
      description = "Unmeasured steady phase after the ramp (default ${DEFAULT-VALUE}).")
  Duration warmup = Duration.ofSeconds(5);

  @Option(names = "--duration", description = "Measured steady phase (default ${DEFAULT-VALUE}).")
  Duration duration = Duration.ofSeconds(20);

  @Option(
      names = "--ramp-concurrency",
      description = "Registers in flight during the ramp (default ${DEFAULT-VALUE}).")
  int rampConcurrency = 64;

  @Option(
      names = "--ramp-timeout",
      description = "The ramp fails if not done within this (default ${DEFAULT-VALUE}).")
  Duration rampTimeout = Duration.ofMinutes(2);

  @Option(
      names = "--io-threads",
      description = "The client's ioThreads (default: the client's default).")
  Integer ioThreads;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  @Override
  public Integer call() throws Exception {
    Path out = co.out("client");
    Files.createDirectories(out);
    Report rep =
        new Report()
            .put("command", "client")
            .put("date", Instant.now().toString())
            .put("java", System.getProperty("java.version"))
            .put("cpus", Runtime.getRuntime().availableProcessors());
    List<Object> runs = new ArrayList<>();
    boolean ok = true;
    try (Cluster c = co.open("client", "-Xmx1g")) {
      rep.put("cluster", c.describe())
          .put(
              "params",
              new Report()
                  .put("apps", apps)
                  .put("renew_interval_ms", renewInterval.toMillis())
                  .put("warmup_s", warmup.toSeconds())
                  .put("duration_s", duration.toSeconds())
                  .put("io_threads", ioThreads));
      for (int n : registrations) {
        Report run = run(c, n);
        runs.add(run);
        ok &= Json.longField(run.toJson(), "register_errors") == 0;
      }
    } finally {
      rep.put("runs", runs);
      rep.writeTo(out.resolve("client.json"));
    }
    return ok ? 0 : 1;
  }

  private Report run(Cluster c, int n) throws Exception {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      urls.add(c.url(i));
    }
    co.quiet();
    long heapBefore = heapAfterGc();
    int threadsBefore = threads.getThreadCount();
    // the bench's own HttpClient (Control) has a selector too: only threads started from here count
    Set<Long> before = new HashSet<>();
    for (long id : threads.getAllThreadIds()) {
      before.add(id);
    }
    RosterClient.Builder b =
        RosterClient.builder().nodes(urls).env("bench").zone("z1").renewInterval(renewInterval);
    if (ioThreads != null) {
      b.ioThreads(ioThreads);
    }
    Report run =
        new Report().put("registrations", n).put("apps", apps).put("threads_before", threadsBefore);
    try (RosterClient client = b.build()) {
      AtomicLong listenerCalls = new AtomicLong();
      ConcurrentLinkedQueue<String> listenerThreads = new ConcurrentLinkedQueue<>();
      long t0 = System.nanoTime();
      List<Registration> held = ramp(client, n, run);
      run.put("ramp_s", (System.nanoTime() - t0) / 1e9);
      Bench.say(
          "client: %d registrations in %.1f s, warming up %d s",
          held.size(), (System.nanoTime() - t0) / 1e9, warmup.toSeconds());
      // after the ramp: while registrations pour in, every register is a new version of a watched
      // application and the poll answers (all changed apps, in full) are what the client parses
      List<Watch> watches = new ArrayList<>();
      for (int a = 0; a < apps; a++) {
        watches.add(
            client.watch(
                app(a),
                now -> {
                  if (listenerCalls.incrementAndGet() <= 3) {
                    listenerThreads.add(Thread.currentThread().getName());
                  }
                }));
      }
      Thread.sleep(warmup.toMillis());

      long renews0 = renewsAcknowledged(c);
      long cpu0 = os.getProcessCpuTime();
      long clientCpu0 = clientThreadsCpuNanos(before);
      long started0 = threads.getTotalStartedThreadCount();
      long listener0 = listenerCalls.get();
      int maxLive = 0;
      int maxClient = 0;
      long end = System.nanoTime() + duration.toNanos();
      while (System.nanoTime() < end) {
        maxLive = Math.max(maxLive, threads.getThreadCount());
        maxClient = Math.max(maxClient, clientThreadNames(before).size());
        Thread.sleep(100);
      }
      double seconds = duration.toNanos() / 1e9;
      long renews = renewsAcknowledged(c) - renews0;
      double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6;
      double clientCpuMs = (clientThreadsCpuNanos(before) - clientCpu0) / 1e6;
      long started = threads.getTotalStartedThreadCount() - started0;
      long heapWith = heapAfterGc();
      run.put("renews", renews)
          .put("renews_per_s", renews / seconds)
          .put("process_cpu_ms", cpuMs)
          .put("process_cpu_ms_per_renew", renews == 0 ? null : cpuMs / renews)
          .put("client_threads_cpu_ms", clientCpuMs)
          .put("client_threads_cpu_ms_per_renew", renews == 0 ? null : clientCpuMs / renews)
          .put("live_threads_max", maxLive)
          .put("client_threads_max", maxClient)
          .put("client_threads", clientThreadNames(before))
          .put("threads_started", started)
          .put("threads_started_per_s", started / seconds)
          .put("heap_mib_with_client", heapWith / 1048576.0)
          .put("heap_mib_client", (heapWith - heapBefore) / 1048576.0)
          .put("listener_calls_steady", listenerCalls.get() - listener0)
          .put("listener_calls", listenerCalls.get())
          .put("listener_threads", new ArrayList<>(listenerThreads));
      Bench.say(
          "client: %d registrations: %d renews (%.0f/s), %.3f CPU-ms/renew (client threads %.3f), "
              + "live threads max %d (client's %d), %.1f threads started/s, heap %.1f MiB for the client",
          n,
          renews,
          renews / seconds,
          renews == 0 ? Double.NaN : cpuMs / renews,
          renews == 0 ? Double.NaN : clientCpuMs / renews,
          maxLive,
          maxClient,
          started / seconds,
          (heapWith - heapBefore) / 1048576.0);
      watches.forEach(Watch::close);
    } // close cancels every registration
    return run;
  }

  private List<Registration> ramp(RosterClient client, int n, Report run)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(rampConcurrency);
    List<CompletableFuture<Registration>> all = new ArrayList<>(n);
    AtomicLong errors = new AtomicLong();
    long deadline = System.nanoTime() + rampTimeout.toNanos();
    for (int i = 0; i < n; i++) {
      if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("ramp: not done within " + rampTimeout.toSeconds() + " s");
      }
      Instance inst =
          Instance.builder(app(i % apps), "client-" + i)
              .addrs("http://10.9.0." + (i % 250) + ":8080")
              .build();
      all.add(
          client
              .registerAsync(inst)
              .whenComplete(
                  (r, e) -> {
                    inFlight.release();
                    if (e != null) {
                      errors.incrementAndGet();
                    }
                  }));
    }
    List<Registration> held = new ArrayList<>(n);
    for (CompletableFuture<Registration> f : all) {
      try {
        held.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (Exception e) {
        errors.incrementAndGet();
      }
    }
    run.put("register_errors", errors.get());
    return held;
  }

  private String app(int a) {
    return "bench.client.a" + a;
  }

  /**
   * Renews answered with code 0, summed over the nodes (followers redirect, only the leader
   * acknowledges).
   */
  private static long renewsAcknowledged(Cluster c) {
    long sum = 0;
    for (int i = 0; i < c.size(); i++) {
      Http.Resp r = Control.get(c.url(i) + "/metrics", 5_000);
      if (r != null) {
        Matcher m = RENEWS_OK.matcher(r.body());
        while (m.find()) {
          sum += (long) Double.parseDouble(m.group(1));
        }
      }
    }
    return sum;
  }

  /**
   * The client's live threads: named roster-client-*, or its HttpClient's selector, started after
   * {@code before}.
   */
  private List<ThreadInfo> clientThreads(Set<Long> before) {
    List<ThreadInfo> list = new ArrayList<>();
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null
          && !before.contains(t.getThreadId())
          && (t.getThreadName().startsWith("roster-client-")
              || (t.getThreadName().startsWith("HttpClient-")
                  && t.getThreadName().endsWith("-SelectorManager")))) {
        list.add(t);
      }
    }
    return list;
  }

  private List<String> clientThreadNames(Set<Long> before) {
    return clientThreads(before).stream().map(ThreadInfo::getThreadName).sorted().toList();
  }

  private long clientThreadsCpuNanos(Set<Long> before) {
    long sum = 0;
    for (ThreadInfo t : clientThreads(before)) {
      sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
    }
    return sum;
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
