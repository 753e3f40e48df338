package dev.roster.node.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.ProcessCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The chaos suite: real node processes, a concurrent workload, one fault per round (kill -9 of the
 * leader, of a follower, of two nodes; whole-cluster restart; SIGSTOP of the leader; SIGTERM of the
 * leader; leader isolated; one-way partition), and after every round the checkers of {@link
 * RoundChecks} plus digest convergence. See docs/chaos.md.
 *
 * <p>Short mode (default, part of {@code mvn verify}): one round per fault. Long mode: {@code
 * -Dchaos.rounds=N} (faults drawn in shuffled decks), {@code -Dchaos.seed}, {@code
 * -Dchaos.results=DIR}. Each round becomes one test; rounds that need a network partition are
 * skipped (assumption) when no network namespace can be made here — except under {@code CI=true},
 * where they fail: CI must not pass with its partition rounds hidden.
 *
 * <p>Failover benchmark: {@code -Dchaos.failoverTrials=N -Dchaos.failoverFault=blackhole-leader}
 * runs {@link FailoverTrials} on the same nodes instead of rounds (see bench/failover-netns.sh). It
 * checks only that every trial got a write acknowledged; the times are a report, never asserted.
 */
class ChaosIT {
  private static final String NS_PREFIX = "roster-chaos-";

  @TestFactory
  List<DynamicTest> chaosRounds() throws Exception {
    // -Dchaos.jar: a copy of the jar, so that a build during a long run cannot swap it under the
    // nodes
    Path jar =
        Path.of(System.getProperty("chaos.jar", ProcessCluster.JAR.toString())).toAbsolutePath();
    assertThat(jar).as("run `mvn package` first").isRegularFile();
    Path results =
        Path.of(
                System.getProperty(
                    "chaos.results",
                    "target/chaos/"
                        + LocalDateTime.now()
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
            .toAbsolutePath();
    Files.createDirectories(results);
    String rounds = System.getProperty("chaos.rounds");
    String seed =
        System.getProperty("chaos.seed", Long.toString(System.currentTimeMillis() % 100_000));

    Optional<String> why =
        Boolean.parseBoolean(System.getProperty("chaos.netns", "true"))
            ? NetworkNamespace.unavailable()
            : Optional.of("disabled by -Dchaos.netns=false");
    NetworkNamespace ns = null;
    if (why.isEmpty()) {
      try {
        NetworkNamespace.removeLeftovers(NS_PREFIX);
        ns = NetworkNamespace.create(NS_PREFIX + ProcessHandle.current().pid());
      } catch (IOException e) {
        why = Optional.of(e.getMessage());
      }
    }
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    String noNamespace = "no network namespace (" + why.orElse("?") + ")";
    if (ns == null) {
      System.out.println(
          "chaos: NO network namespace ("
              + why.orElse("?")
              + "): process faults only, "
              + (ci ? "partition rounds FAIL (CI=true)" : "partition rounds are SKIPPED"));
    }

    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dlogback.middleware.log.disable=true",
                "-cp",
                System.getProperty("java.class.path"),
                ChaosRunner.class.getName(),
                "--results",
                results.toString(),
                "--jar",
                jar.toString(),
                "--seed",
                seed));
    if (rounds != null) {
      cmd.addAll(List.of("--rounds", rounds));
    }
    String faults = System.getProperty("chaos.faults");
    if (faults != null) {
      cmd.addAll(List.of("--faults", faults));
    }
    String failoverTrials = System.getProperty("chaos.failoverTrials");
    if (failoverTrials != null) {
      cmd.addAll(
          List.of(
              "--failover-trials",
              failoverTrials,
              "--failover-fault",
              System.getProperty("chaos.failoverFault", Fault.KILL_LEADER.label)));
    }
    if (ns != null) {
      cmd.addAll(
          List.of(
              "--netns",
              ns.name(),
              "--host-netns",
              NetworkNamespace.currentNamespace(),
              "--hosts",
              String.join(",", NetworkNamespace.HOSTS),
              "--uids",
              String.join(",", NetworkNamespace.UIDS.stream().map(String::valueOf).toList())));
      cmd = ns.inside(cmd);
    }
    int planned =
        failoverTrials != null
            ? Integer.parseInt(failoverTrials)
            : rounds != null
                ? Integer.parseInt(rounds)
                : faults != null ? faults.split(",").length : Fault.values().length;
    long limitSeconds = 180 + 150L * planned;
    System.out.println(
        "chaos: "
            + planned
            + (failoverTrials != null ? " failover trials" : " rounds")
            + ", seed "
            + seed
            + ", results in "
            + results);
    int exit;
    try {
      exit = runRunner(cmd, results, limitSeconds);
    } finally {
      if (ns != null) {
        ns.close();
      }
    }

    if (failoverTrials != null) {
      return failoverTests(
          exit, results, Integer.parseInt(failoverTrials), ns == null ? noNamespace : null);
    }
    Path reportFile = results.resolve("report.json");
    assertThat(reportFile)
        .as("runner exit %d; see %s", exit, results.resolve("runner.err"))
        .exists();
    JsonNode report = History.JSON.readTree(reportFile.toFile());
    List<DynamicTest> tests = new ArrayList<>();
    int exitCode = exit;
    tests.add(
        DynamicTest.dynamicTest(
            "runner finished every round",
            () -> {
              assertThat(exitCode)
                  .as("runner exit code; see %s", results.resolve("runner.err"))
                  .isZero();
              assertThat(report.path("rounds").size()).isEqualTo(planned);
            }));
    for (JsonNode round : report.path("rounds")) {
      String name = "round " + round.path("round").asInt() + ": " + round.path("fault").asText();
      tests.add(
          DynamicTest.dynamicTest(
              name,
              () -> {
                if (round.has("skipped") && ci) {
                  fail(
                      name
                          + ": CI=true and "
                          + noNamespace
                          + "; partition rounds must run in CI (root, "
                          + "iproute2, iptables, util-linux: see .ci/run)");
                }
                Assumptions.assumeFalse(
                    round.has("skipped"),
                    () -> name + " skipped: " + round.path("skipped").asText());
                assertThat(round.path("operations").asInt())
                    .as("operations in %s", name)
                    .isGreaterThan(50);
                assertThat(round.path("anomalies").isArray()).as("report lists anomalies").isTrue();
                assertThat(round.path("anomalies"))
                    .as(
                        "anomalies in %s (history: %s, report: %s)",
                        name, results.resolve("history.jsonl"), results.resolve("report.md"))
                    .isEmpty();
              }));
    }
    return tests;
  }

  /**
   * The failover benchmark's only checks: it ran, and every trial ended with an acknowledged write.
   */
  private static List<DynamicTest> failoverTests(
      int exit, Path results, int trials, String noNamespace) {
    return List.of(
        DynamicTest.dynamicTest(
            "failover: every trial acknowledged a write",
            () -> {
              Path reportFile = results.resolve("failover.json");
              assertThat(reportFile)
                  .as(
                      "runner exit %d (%s); see %s",
                      exit, noNamespace == null ? "" : noNamespace, results.resolve("runner.err"))
                  .exists();
              JsonNode report = History.JSON.readTree(reportFile.toFile());
              assertThat(report.path("trial_results").size())
                  .as("trials in %s", reportFile)
                  .isEqualTo(trials);
              assertThat(report.path("failed_trials").asInt())
                  .as("failed trials; see %s", results.resolve("failover.md"))
                  .isZero();
              assertThat(exit)
                  .as("runner exit code; see %s", results.resolve("runner.err"))
                  .isZero();
            }));
  }

  /** Runs the runner, echoing its one line per round; kills it (and its nodes) past the limit. */
  private static int runRunner(List<String> cmd, Path results, long limitSeconds) throws Exception {
    Process runner =
        new ProcessBuilder(cmd).redirectError(results.resolve("runner.err").toFile()).start();
    Thread echo =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(runner.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  System.out.println("chaos: " + line);
                  Files.writeString(
                      results.resolve("runner.out"),
                      line + "\n",
                      StandardCharsets.UTF_8,
                      java.nio.file.StandardOpenOption.CREATE,
                      java.nio.file.StandardOpenOption.APPEND);
                }
              } catch (IOException e) {
                // runner gone
              }
            },
            "chaos-runner-output");
    echo.setDaemon(true);
    echo.start();
    if (!runner.waitFor(limitSeconds, TimeUnit.SECONDS)) {
      System.out.println("chaos: runner exceeded " + limitSeconds + " s; killing it and its nodes");
      runner.descendants().forEach(ProcessHandle::destroyForcibly);
      runner.destroyForcibly();
      runner.waitFor(30, TimeUnit.SECONDS);
      return -1;
    }
    echo.join(5000);
    return runner.exitValue();
  }
}
