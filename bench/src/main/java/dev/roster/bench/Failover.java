package dev.roster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Leader kill -9 to the first acknowledged write, the method of ../shared/bench/etcd-failover.sh:
 * kill the leader, then send writes (register) alternately to the two survivors, as a client with
 * the full node list would, following a 307 to the leader it names. Failover time = when the first
 * code-0 answer arrived - when the kill was sent (upper bound); the time the successful attempt was
 * sent is the lower bound. Then the killed node is restarted, the cluster settles, next trial.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description =
        "Leader kill -9 -> first acknowledged write, over --trials trials (median, min, max).")
final class Failover implements Callable<Integer> {
  @Mixin Bench.ClusterOptions co = new Bench.ClusterOptions();

  @Option(names = "--trials", description = "Trials (default ${DEFAULT-VALUE}).")
  int trials = 10;

  @Option(
      names = "--settle",
      description = "Pause after the killed node is back and ready (default ${DEFAULT-VALUE}).")
  Duration settle = Duration.ofSeconds(3);

  @Option(
      names = "--attempt-timeout",
      description =
          "Longest wait for one write attempt; a node holds a write while it "
              + "waits for a leader, so this only bounds hung attempts (default ${DEFAULT-VALUE}).")
  Duration attemptTimeout = Duration.ofSeconds(3);

  @Option(
      names = "--retry-pause",
      description =
          "Pause after a failed attempt (refused connection, -503) (default ${DEFAULT-VALUE}).")
  Duration retryPause = Duration.ofMillis(10);

  @Option(
      names = "--give-up",
      description = "A trial fails if no write succeeds within this (default ${DEFAULT-VALUE}).")
  Duration giveUp = Duration.ofSeconds(30);

  private static final String BODY =
      "zone=z1&env=failover&appid=bench.failover&hostname=writer&addrs=http%3A%2F%2F10.9.9.9%3A80";

  /** One write attempt on {@code url}, following up to two redirects. */
  private String attempt(String url, StringBuilder log) {
    String target = url;
    for (int hop = 0; hop < 3; hop++) {
      Http.Resp r =
          Control.call("POST", target + "/discovery/register", BODY, attemptTimeout.toMillis());
      if (r == null) {
        log.append(" ").append(target).append(": no answer");
        return null;
      }
      if (r.status() == 307 && r.location() != null) {
        URI u = URI.create(r.location());
        target = u.getScheme() + "://" + u.getAuthority();
        log.append(" 307->").append(target);
        continue;
      }
      log.append(" ").append(target).append(": ").append(r.code());
      return r.code() == 0 ? target : null;
    }
    return null;
  }

  @Override
  public Integer call() throws Exception {
    Path out = co.out("failover");
    Files.createDirectories(out);
    Report rep = new Report().put("command", "failover").put("date", Instant.now().toString());
    List<Object> trialReports = new ArrayList<>();
    long[] ms = new long[trials];
    int done = 0;
    try (Cluster c = co.open("failover", "-Xmx512m")) {
      rep.put("cluster", c.describe())
          .put(
              "params",
              new Report()
                  .put("trials", trials)
                  .put("settle_s", settle.toSeconds())
                  .put("attempt_timeout_ms", attemptTimeout.toMillis())
                  .put("retry_pause_ms", retryPause.toMillis()));
      for (int t = 1; t <= trials; t++) {
        Control.awaitAllReady(c, 60_000);
        double idle = co.quiet();
        int leader = Control.awaitLeader(c, 10_000);
        String st = Control.status(c.url(leader));
        long term0 = st == null ? -1 : Json.longField(st, "term");
        List<Integer> survivors = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
          if (i != leader) {
            survivors.add(i);
          }
        }
        StringBuilder log = new StringBuilder();
        log.append("# trial ")
            .append(t)
            .append(": leader node ")
            .append(leader + 1)
            .append(" (")
            .append(c.url(leader))
            .append(", pid ")
            .append(c.pid(leader))
            .append(") term ")
            .append(term0)
            .append('\n');
        for (int k = 0; k < 5; k++) { // steady state: writes through the survivors work
          StringBuilder pre = new StringBuilder();
          if (attempt(c.url(survivors.get(k % 2)), pre) == null) {
            throw new IllegalStateException("pre-kill write failed:" + pre);
          }
        }

        long tKill = System.nanoTime();
        c.kill9(leader);
        double busy0 = Proc.machineBusySeconds();
        log.append(
            String.format(
                "%8.1f ms  SIGKILL node %d%n", (System.nanoTime() - tKill) / 1e6, leader + 1));
        long tOk = -1;
        long tOkSent = -1;
        String okOn = null;
        int attempts = 0;
        while (System.nanoTime() - tKill < giveUp.toNanos()) {
          String url = c.url(survivors.get(attempts % 2));
          attempts++;
          long s = System.nanoTime();
          StringBuilder a = new StringBuilder();
          String ok = attempt(url, a);
          long e = System.nanoTime();
          log.append(
              String.format(
                  "%8.1f ms  sent at +%.1f ms:%s%n", (e - tKill) / 1e6, (s - tKill) / 1e6, a));
          if (ok != null) {
            tOk = e;
            tOkSent = s;
            okOn = ok;
            break;
          }
          Thread.sleep(retryPause.toMillis());
        }
        if (tOk < 0) {
          Files.writeString(out.resolve("trial-" + t + ".log"), log);
          throw new IllegalStateException(
              "trial " + t + ": no acknowledged write within " + giveUp.toSeconds() + " s");
        }
        double machineCpu = Proc.machineBusySeconds() - busy0;
        ms[t - 1] = (tOk - tKill) / 1_000_000;
        done = t;
        int newLeader = Control.leader(c);
        String st1 = newLeader < 0 ? null : Control.status(c.url(newLeader));
        long term1 = st1 == null ? -1 : Json.longField(st1, "term");
        String line =
            String.format(
                "trial %d: failover %d ms (successful write sent at +%d ms, %d attempts, acknowledged by %s; "
                    + "new leader node %d, term %d -> %d)",
                t,
                ms[t - 1],
                (tOkSent - tKill) / 1_000_000,
                attempts,
                okOn,
                newLeader + 1,
                term0,
                term1);
        log.append(line).append('\n');
        Bench.say("%s", line);
        trialReports.add(
            new Report()
                .put("trial", t)
                .put("killed_node", leader + 1)
                .put("failover_ms", ms[t - 1])
                .put("successful_write_sent_ms", (tOkSent - tKill) / 1_000_000)
                .put("attempts", attempts)
                .put("new_leader_node", newLeader + 1)
                .put("term_before", term0)
                .put("term_after", term1)
                .put("idle_before", idle)
                .put("machine_cpu_s_during", machineCpu));

        c.start(leader);
        long back = Control.awaitReady(c, leader, 60_000);
        log.append("restarted node ")
            .append(leader + 1)
            .append(", ready after ")
            .append(back)
            .append(" ms\n");
        Files.writeString(out.resolve("trial-" + t + ".log"), log);
        Thread.sleep(settle.toMillis());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      long[] got = Arrays.copyOf(ms, done);
      long[] sorted = got.clone();
      Arrays.sort(sorted);
      rep.put("trials", trialReports)
          .put("failover_ms", got)
          .put("median_ms", Bench.median(got))
          .put("min_ms", sorted.length == 0 ? null : sorted[0])
          .put("max_ms", sorted.length == 0 ? null : sorted[sorted.length - 1]);
      rep.writeTo(out.resolve("failover.json"));
      if (done > 0) {
        Bench.say(
            "failover ms per trial: %s; median %.0f ms, min %d, max %d (%s)",
            Arrays.toString(got),
            Bench.median(got),
            sorted[0],
            sorted[sorted.length - 1],
            out.resolve("failover.json"));
      }
    }
    return done == trials ? 0 : 1;
  }
}
