package dev.roster.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * CI smoke run of the Java driver: each command for a few seconds against 3 nodes launched from
 * registry-node's shaded jar. Checks only that the tool works and writes its report: counts and
 * error totals, never a timing (benchmarks are not tests).
 */
class BenchSmokeIT {
  private static final String JAR =
      Path.of("..", "registry-node", "target", "roster-node.jar").toString();
  private static final Path OUT = Path.of("target", "bench-smoke");

  private static String report(Path file) throws Exception {
    assertThat(file).isRegularFile();
    return Files.readString(file);
  }

  @Test
  void scenarioRegistersRenewsAndWakesParkedPolls() throws Exception {
    Path out = OUT.resolve("scenario");
    int rc =
        Bench.run(
            "scenario",
            "--jar",
            JAR,
            "--quiet-wait",
            "0",
            "--warmup",
            "0s",
            "--out",
            out.toString(),
            "--instances",
            "200",
            "--apps",
            "10",
            "--polls",
            "50",
            "--duration",
            "3s",
            "--renew-interval",
            "1s",
            "--change-rate",
            "5",
            "--concurrency",
            "8");
    assertThat(rc).isZero();
    String json = report(out.resolve("scenario.json"));
    assertThat(json)
        .contains("\"register\":{\"instances\":200,\"apps\":10,\"sent\":200,\"errors\":0")
        .contains("\"parked\":50")
        .contains("\"wakes\":{\"count\":")
        .contains("\"since_commit_stamp\":{\"count\":");
    assertThat(Json.longField(json.substring(json.indexOf("\"renews\":")), "errors")).isZero();
    assertThat(Json.longField(json.substring(json.indexOf("\"wakes\":")), "count")).isPositive();
  }

  @Test
  void failoverKillsTheLeaderAndTimesTheFirstWrite() throws Exception {
    Path out = OUT.resolve("failover");
    int rc =
        Bench.run(
            "failover",
            "--jar",
            JAR,
            "--quiet-wait",
            "0",
            "--out",
            out.toString(),
            "--trials",
            "1",
            "--settle",
            "0s");
    assertThat(rc).isZero();
    String json = report(out.resolve("failover.json"));
    assertThat(json).contains("\"trials\":[{\"trial\":1,").contains("\"median_ms\":");
    assertThat(out.resolve("trial-1.log")).isRegularFile();
  }

  @Test
  void clientCostRunsOneClientWithRegistrationsAndAWatch() throws Exception {
    Path out = OUT.resolve("client");
    int rc =
        Bench.run(
            "client",
            "--jar",
            JAR,
            "--quiet-wait",
            "0",
            "--out",
            out.toString(),
            "--registrations",
            "20,50",
            "--apps",
            "5",
            "--renew-interval",
            "500ms",
            "--warmup",
            "1s",
            "--duration",
            "2s");
    assertThat(rc).isZero();
    String json = report(out.resolve("client.json"));
    assertThat(json)
        .contains("\"registrations\":20,")
        .contains("\"registrations\":50,")
        .contains("\"register_errors\":0")
        .containsPattern("\"roster-client-\\d+-scheduler\"")
        .doesNotContain("\"register_errors\":1");
    assertThat(Json.longField(json, "renews")).isPositive();
  }

  @Test
  void memoryMeasuresHeapSnapshotAndRestarts() throws Exception {
    Path out = OUT.resolve("memory");
    int rc =
        Bench.run(
            "memory",
            "--jar",
            JAR,
            "--quiet-wait",
            "0",
            "--out",
            out.toString(),
            "--instances",
            "2000",
            "--apps",
            "20",
            "--concurrency",
            "16",
            "--java-opts",
            "-Xmx256m");
    assertThat(rc).isZero();
    String json = report(out.resolve("memory.json"));
    assertThat(json)
        .contains("\"errors\":0")
        .contains("\"instances_per_node\":2003")
        .contains("\"snapshot\":[")
        .contains("\"log_instances\":2003")
        .contains("\"restart_follower_kill9\":")
        .contains("\"restart_cluster\":");
  }
}
