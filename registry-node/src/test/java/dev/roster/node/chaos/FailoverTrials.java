package dev.roster.node.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The failover benchmark (docs/benchmarks.md): per trial, one leader fault of the chaos suite (kill
 * -9, black hole), then writes on the majority side until one is acknowledged. The failover time is
 * the first acknowledged register's answer minus the moment the fault was complete (the leader's
 * process reaped, or the black hole's rules in force). A benchmark, never an assertion: it reports
 * every trial, the median and the maximum.
 *
 * <p>Writes go out one every {@value #ATTEMPT_EVERY_MS} ms, alternately to the two survivors, each
 * following 307s, and each in flight until its answer or {@link #ATTEMPT_TIMEOUT}: a write
 * redirected to a black-holed leader hangs, so the loop does not wait for it before sending the
 * next. That measures the cluster, not a client's retry timeout.
 */
final class FailoverTrials {
  private static final long ATTEMPT_EVERY_MS = 20;
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
  private static final int MAX_IN_FLIGHT = 100;
  private static final int MAX_HOPS = 3;

  /** A trial with no acknowledged write by then is reported as failed. */
  private static final Duration TRIAL_LIMIT = Duration.ofSeconds(20);

  private static final Duration SETTLE = Duration.ofSeconds(3);
  static final int MAX_TRIALS = 50;

  private final ChaosCluster cluster;
  private final Fault fault;
  private final int trials;
  private final Path results;
  private final Random random;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(ATTEMPT_TIMEOUT)
          .build();

  FailoverTrials(ChaosCluster cluster, Fault fault, int trials, Path results, Random random) {
    if (trials < 1 || trials > MAX_TRIALS) {
      throw new IllegalArgumentException(
          "failover trials must be 1.." + MAX_TRIALS + ", not " + trials);
    }
    this.cluster = cluster;
    this.fault = fault;
    this.trials = trials;
    this.results = results;
    this.random = random;
  }

  /**
   * Runs the trials and writes {@code failover.json} and {@code failover.md}; 0 when every trial
   * acknowledged a write.
   */
  int run() throws IOException {
    ObjectNode report = History.JSON.createObjectNode();
    report
        .put("fault", fault.label)
        .put("trials", trials)
        .put("started", Instant.now().toString())
        .put("attempt_every_ms", ATTEMPT_EVERY_MS)
        .put("attempt_timeout_ms", ATTEMPT_TIMEOUT.toMillis());
    report.set("node_flags", History.JSON.valueToTree(ChaosRunner.NODE_FLAGS));
    ArrayNode rows = report.putArray("trial_results");
    List<Double> times = new ArrayList<>();
    int failed = 0;
    for (int t = 1; t <= trials; t++) {
      ObjectNode row = trial(t);
      rows.add(row);
      if (row.has("failover_ms")) {
        times.add(row.path("failover_ms").asDouble());
      } else {
        failed++;
      }
      System.out.println(line(row));
      System.out.flush();
      writeReport(report, times, failed);
    }
    report.put("finished", Instant.now().toString());
    writeReport(report, times, failed);
    return failed == 0 ? 0 : 4;
  }

  private ObjectNode trial(int t) throws IOException {
    ObjectNode row = History.JSON.createObjectNode();
    row.put("trial", t);
    if (!cluster.awaitHealthy(Duration.ofSeconds(90))) {
      return row.put("error", "cluster not healthy before the trial");
    }
    NodeClient.pause(SETTLE.toMillis());
    Optional<Integer> found = cluster.leader();
    if (found.isEmpty()) {
      return row.put("error", "no agreed leader before the trial");
    }
    int leader = found.get();
    List<Integer> survivors = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (i != leader) {
        survivors.add(i);
      }
    }
    for (int s : survivors) {
      Attempt check = send(s, "check-" + t + "-" + s, System.nanoTime()).join();
      if (!check.acknowledged()) {
        return row.put(
            "error", "write through n" + s + " failed before the fault: " + check.detail());
      }
    }
    row.put("leader", leader).put("term_before", term(leader));
    long[] logOffsets = new long[cluster.size()];
    for (int s : survivors) {
      logOffsets[s] = size(cluster.log(s));
    }

    long injectStart = System.nanoTime();
    Fault.Injected injected = fault.inject(cluster, leader, random);
    // the clock starts once the fault is complete (process reaped, rules in force); inject_ms is
    // how long the tool took (spawning iptables-restore on a loaded machine: up to a few 100 ms)
    long faultAt = System.nanoTime();
    row.put("fault_at", Instant.now().toString());
    row.put("inject_ms", ms(faultAt - injectStart)).put("detail", injected.detail());
    AtomicReference<Attempt> first = new AtomicReference<>();
    Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    AtomicInteger inFlight = new AtomicInteger();
    int sent = 0;
    long end = faultAt + TRIAL_LIMIT.toNanos();
    while (first.get() == null && System.nanoTime() < end) {
      if (inFlight.get() < MAX_IN_FLIGHT) {
        int target = survivors.get(sent % survivors.size());
        inFlight.incrementAndGet();
        send(target, "t" + t + "-a" + sent, faultAt)
            .whenComplete(
                (a, e) -> {
                  inFlight.decrementAndGet();
                  attempts.add(a);
                  if (a != null && a.acknowledged()) {
                    first.compareAndSet(null, a);
                  }
                });
        sent++;
      }
      NodeClient.pause(ATTEMPT_EVERY_MS);
    }
    Attempt won = first.get();
    row.put("attempts", sent);
    writeAttempts(t, attempts);
    if (won != null) {
      row.put("failover_ms", won.answeredMs())
          .put("write_sent_ms", won.sentMs())
          .put("answered_by", won.answeredBy());
    } else {
      row.put("error", "no write acknowledged within " + TRIAL_LIMIT.toSeconds() + " s");
    }
    row.put("healed", injected.heal().get());
    if (cluster.awaitHealthy(Duration.ofSeconds(90))) {
      cluster.leader().ifPresent(l -> row.put("leader_after", l).put("term_after", term(l)));
    }
    ArrayNode events = row.putArray("survivor_log");
    for (int s : survivors) {
      for (String l : linesSince(cluster.log(s), logOffsets[s])) {
        if (l.contains("campaigning early")
            || l.contains("became leader")
            || l.contains("stepped down")) {
          events.add("n" + s + " " + l);
        }
      }
    }
    return row;
  }

  /** One register, following 307s; {@code since} is the fault's time, the clock of the result. */
  private CompletableFuture<Attempt> send(int node, String hostname, long since) {
    String form =
        "zone="
            + Workload.ZONE
            + "&env="
            + Workload.ENV
            + "&appid=failover&hostname="
            + hostname
            + "&addrs=http%3A%2F%2F"
            + hostname
            + "%3A8080&status=1";
    long sentAt = System.nanoTime();
    return post(cluster.url(node), form, 0)
        .handle(
            (body, e) -> {
              long answeredAt = System.nanoTime();
              String detail =
                  e != null
                      ? e.toString()
                      : body.path("code").asText() + " " + body.path("message").asText();
              boolean ok = e == null && body.path("code").asInt(-1) == 0;
              return new Attempt(
                  ok,
                  ms(sentAt - since),
                  ms(answeredAt - since),
                  cluster.url(node),
                  e == null ? body.path("via").asText(null) : null,
                  detail);
            });
  }

  private CompletableFuture<JsonNode> post(String url, String form, int hops) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/discovery/register"))
            .timeout(ATTEMPT_TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenCompose(
            r -> {
              JsonNode body = parse(r.body());
              if (r.statusCode() == 307 && hops < MAX_HOPS) {
                String leader = body.path("data").path("leader").asText(null);
                if (leader != null) {
                  return post(leader, form, hops + 1);
                }
              }
              if (body.isObject()) {
                ((ObjectNode) body).put("via", url);
              }
              return CompletableFuture.completedFuture(body);
            });
  }

  /** One write: when it was sent and answered (ms since the fault), where to, who answered last. */
  private record Attempt(
      boolean acknowledged,
      double sentMs,
      double answeredMs,
      String sentTo,
      String answeredBy,
      String detail) {}

  /** Every attempt of trial {@code t} in {@code trial-t.jsonl}, in the order they were sent. */
  private void writeAttempts(int t, Queue<Attempt> attempts) throws IOException {
    NodeClient.pause(ATTEMPT_TIMEOUT.toMillis()); // let the last ones time out or answer
    List<String> lines =
        attempts.stream()
            .sorted(java.util.Comparator.comparingDouble(Attempt::sentMs))
            .map(a -> History.JSON.valueToTree(a).toString())
            .toList();
    Files.write(results.resolve("trial-" + t + ".jsonl"), lines);
  }

  private long term(int node) {
    return cluster
        .get(node, "/cluster/status")
        .map(s -> s.path("data").path("term").asLong(-1))
        .orElse(-1L);
  }

  private static JsonNode parse(String body) {
    try {
      return History.JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
    } catch (IOException e) {
      return History.JSON.createObjectNode().put("code", -1).put("message", "unparsable body");
    }
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static List<String> linesSince(Path file, long offset) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      if (length <= offset) {
        return List.of();
      }
      byte[] tail = new byte[(int) Math.min(length - offset, 4_000_000)];
      f.seek(offset);
      f.readFully(tail);
      return new String(tail, StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private void writeReport(ObjectNode report, List<Double> times, int failed) throws IOException {
    List<Double> sorted = times.stream().sorted().toList();
    report.put("failed_trials", failed);
    if (!sorted.isEmpty()) {
      int n = sorted.size();
      double median =
          n % 2 == 1
              ? sorted.get(n / 2)
              : Math.round((sorted.get(n / 2 - 1) + sorted.get(n / 2)) * 5) / 10.0;
      report.put("median_ms", median).put("min_ms", sorted.get(0)).put("max_ms", sorted.get(n - 1));
    }
    Files.writeString(
        results.resolve("failover.json"),
        History.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    Files.writeString(results.resolve("failover.md"), markdown(report));
  }

  static String markdown(JsonNode report) {
    StringBuilder md = new StringBuilder();
    md.append("# Failover: ")
        .append(report.path("fault").asText())
        .append(", ")
        .append(report.path("trials").asInt())
        .append(" trials\n\n")
        .append(
            "Fault in force → first acknowledged register on the majority side (one attempt every ")
        .append(report.path("attempt_every_ms").asLong())
        .append(" ms, alternately to the survivors, following 307s).\n\n")
        .append(
            "| trial | leader | failover ms | write sent ms | term before → after | attempts | detector / elections |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (JsonNode r : report.path("trial_results")) {
      List<String> events = new ArrayList<>();
      r.path("survivor_log").forEach(e -> events.add(e.asText()));
      md.append("| ")
          .append(r.path("trial").asInt())
          .append(" | n")
          .append(r.path("leader").asText("?"))
          .append(" | ")
          .append(
              r.has("failover_ms")
                  ? r.path("failover_ms").asText()
                  : "**" + r.path("error").asText() + "**")
          .append(" | ")
          .append(r.path("write_sent_ms").asText(""))
          .append(" | ")
          .append(r.path("term_before").asText("?"))
          .append(" → ")
          .append(r.path("term_after").asText("?"))
          .append(" | ")
          .append(r.path("attempts").asText(""))
          .append(" | ")
          .append(String.join("<br>", events).replace("|", "\\|"))
          .append(" |\n");
    }
    md.append("\n**median ")
        .append(report.path("median_ms").asText("-"))
        .append(" ms, min ")
        .append(report.path("min_ms").asText("-"))
        .append(" ms, max ")
        .append(report.path("max_ms").asText("-"))
        .append(" ms**; failed trials: ")
        .append(report.path("failed_trials").asInt())
        .append('\n');
    return md.toString();
  }

  static String line(JsonNode row) {
    return String.format(
        "trial %d %s",
        row.path("trial").asInt(),
        row.has("failover_ms")
            ? "failover "
                + row.path("failover_ms").asText()
                + " ms (write sent at "
                + row.path("write_sent_ms").asText()
                + " ms), term "
                + row.path("term_before").asText()
                + " -> "
                + row.path("term_after").asText()
            : "FAILED: " + row.path("error").asText());
  }
}
