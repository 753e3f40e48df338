package dev.roster.node.cluster;

import static dev.roster.node.testing.Calls.ENV;
import static dev.roster.node.testing.Calls.cancel;
import static dev.roster.node.testing.Calls.fetch;
import static dev.roster.node.testing.Calls.lists;
import static dev.roster.node.testing.Calls.ok;
import static dev.roster.node.testing.Calls.register;
import static dev.roster.node.testing.Calls.renew;
import static dev.roster.node.testing.Calls.setStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.node.testing.Http;
import dev.roster.node.testing.RegistryState;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nodes that were down come back with exactly the state of the others: from the log, a snapshot, or
 * both.
 */
class CatchUpIT {
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  @Test
  void restartedFollowerCatchesUpWithWritesMadeWhileItWasDown() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitReady();
      writeBatch(c.url(leader), "w0");
      int follower = c.followers(leader).get(0);
      awaitSameUserApps(c, follower, leader);
      c.stopNode(follower);

      writeBatch(c.url(leader), "w1");
      writeBatch(c.url(leader), "w2");
      assertThat(RegistryState.userApps(c.node(leader))).isNotEqualTo(Map.of());

      c.startNode(follower);
      int current = c.awaitLeader(CATCH_UP);
      awaitIdenticalState(c, follower, current);
      assertThat(snapshotsOf(c.dataDir(follower))).as("caught up from the log alone").isEmpty();
      assertSameFetches(c, follower, current);
    }
  }

  /**
   * A restarted node holds its log but applies none of it until the leader tells it what is
   * committed (up to a heartbeat later, and then it replays). Until it has caught up it must not
   * answer a fetch or a poll from that state (an empty registry: -404 for every application), and
   * {@code /ready} must say no. It answers -503 (clients try another node) or waits, then answers
   * with everything written before it came back.
   */
  @Test
  void restartedFollowerAnswersNothingOlderThanWhatWasWrittenBeforeItCameBack() throws Exception {
    // heartbeats every 500 ms: a restarted node waits up to that long for the leader's first word
    try (TestCluster c = TestCluster.start(3, Map.of("election-timeout", "5s"))) {
      int leader = c.awaitReady(Duration.ofSeconds(60));
      int follower = c.followers(leader).get(0);
      ok(register(c.url(leader), "restart.app", "before"));
      await()
          .atMost(CATCH_UP)
          .until(() -> lists(fetch(c.url(follower), "restart.app", false), "before"));
      c.stopNode(follower);
      ok(register(c.url(leader), "restart.app", "while-down"));

      c.startNode(follower);
      String url = c.url(follower);
      long deadline = System.nanoTime() + CATCH_UP.toNanos();
      int unavailable = 0;
      Http.Response answer;
      while (true) {
        boolean ready = Http.get(url + "/ready").status() == 200;
        if (ready) {
          RegistryState.App app =
              RegistryState.userApps(c.node(follower)).get(ENV + "/restart.app");
          assertThat(app != null && app.instances().containsKey("while-down"))
              .as("/ready said yes while the node's registry was %s", app)
              .isTrue();
        }
        answer = fetch(url, "restart.app", false);
        if (answer.code() != -503 || System.nanoTime() > deadline) {
          break;
        }
        unavailable++;
        Thread.sleep(20);
      }
      assertThat(answer.code())
          .as("first answer other than -503 (after %d of them): %s", unavailable, answer.body())
          .isEqualTo(0);
      assertThat(lists(answer, "before") && lists(answer, "while-down"))
          .as("%s", answer.body())
          .isTrue();

      Http.Response polled =
          Http.get(url + "/discovery/poll?env=" + ENV + "&appid=restart.app&latest_timestamp=0");
      assertThat(lists(polled, "while-down")).as("%s", polled.body()).isTrue();
    }
  }

  /**
   * Every node snapshots by itself once it has applied more operations than {@code snapshot-ops}
   * (and twice its instances) since its last snapshot, long before the hour of {@code
   * snapshot-interval}: a restart then replays at most that many operations.
   */
  @Test
  void eachNodeSnapshotsOnceItsLogHoldsMoreOperationsThanSnapshotOpsAllows() throws Exception {
    try (TestCluster c = TestCluster.start(3, Map.of("snapshot-ops", "1000"))) {
      int leader = c.awaitReady();
      for (int n = 0; n < 10; n++) {
        ok(register(c.url(leader), "busy.app", "h" + n));
      }
      TimeUnit.SECONDS.sleep(2); // two checks: far below 1000 operations, nothing is taken
      for (int i = 0; i < c.size(); i++) {
        assertThat(snapshotsOf(c.dataDir(i))).as("node %d after ~10 operations", i).isEmpty();
      }

      for (int round = 0; round < 110; round++) {
        for (int n = 0; n < 10; n++) {
          ok(renew(c.url(leader), "busy.app", "h" + n));
        }
      }
      await()
          .atMost(CATCH_UP)
          .untilAsserted(
              () -> {
                for (int i = 0; i < c.size(); i++) {
                  assertThat(snapshotsOf(c.dataDir(i)))
                      .as("node %d after 1 100 renews", i)
                      .hasSize(1);
                  assertThat(c.node(i).raft().stateMachine().opsSinceSnapshot()).isLessThan(1000);
                }
              });
    }
  }

  @Test
  void followerBehindTwoLeaderSnapshotsCatchesUpByInstallingASnapshot() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitReady();
      writeBatch(c.url(leader), "w0");
      int follower = c.followers(leader).get(0);
      awaitSameUserApps(c, follower, leader);
      c.stopNode(follower);

      // JRaft truncates the log only up to the previous snapshot: the second snapshot removes
      // the entries the follower is missing, so it can only catch up by installing a snapshot
      writeBatch(c.url(leader), "w1");
      c.node(leader).raft().admin().snapshot().get(30, TimeUnit.SECONDS);
      writeBatch(c.url(leader), "w2");
      c.node(leader).raft().admin().snapshot().get(30, TimeUnit.SECONDS);
      writeBatch(c.url(leader), "w3");
      assertThat(snapshotsOf(c.dataDir(follower))).isEmpty();
      List<String> leaderSnapshots = snapshotsOf(c.dataDir(leader));
      assertThat(leaderSnapshots).hasSize(1);

      c.startNode(follower);
      int current = c.awaitLeader(CATCH_UP);
      awaitIdenticalState(c, follower, current);

      assertThat(current).as("the leader did not change during the test").isEqualTo(leader);
      assertThat(snapshotsOf(c.dataDir(follower)))
          .as("the follower installed the leader's snapshot")
          .isEqualTo(leaderSnapshots);
      assertSameFetches(c, follower, current);
    }
  }

  @Test
  void wholeClusterRestartRecoversEveryInstanceFromSnapshotAndLog() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitReady();
      writeBatch(c.url(leader), "w1");
      snapshotEveryNode(c, leader);
      writeBatch(c.url(leader), "w2");
      // a second snapshot so that each node's log no longer starts at index 1
      snapshotEveryNode(c, leader);
      Map<String, RegistryState.App> atSnapshot = RegistryState.userApps(c.node(leader));
      writeBatch(c.url(leader), "w3");
      ok(cancel(c.url(leader), "catchup.a", "w1-a0"));
      for (int f : c.followers(leader)) {
        awaitSameUserApps(c, f, leader);
      }
      Map<String, RegistryState.App> beforeStop = RegistryState.userApps(c.node(leader));
      assertThat(beforeStop).isNotEqualTo(atSnapshot);

      for (int i = 0; i < c.size(); i++) {
        c.stopNode(i);
      }
      // alone, a node has no quorum and applies nothing past its snapshot: what it holds right
      // after start is exactly what its snapshot held
      c.startNode(0);
      assertThat(RegistryState.userApps(c.node(0))).isEqualTo(atSnapshot);
      c.startNode(1);
      c.startNode(2);
      int newLeader = c.awaitReady();

      for (int i = 0; i < c.size(); i++) {
        int node = i;
        await("node " + node + " recovered everything acknowledged before the stop")
            .atMost(CATCH_UP)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> RegistryState.userApps(c.node(node)).equals(beforeStop));
        for (String appid : List.of("catchup.a", "catchup.b.w1", "catchup.b.w2", "catchup.b.w3")) {
          Http.Response read = fetch(c.url(node), appid, true);
          assertThat(read.code()).isEqualTo(0);
          for (String hostname : beforeStop.get("test/" + appid).instances().keySet()) {
            assertThat(lists(read, hostname))
                .as("node %d lists %s/%s", node, appid, hostname)
                .isTrue();
          }
        }
      }
      ok(register(c.url(newLeader), "catchup.a", "after-restart"));
    }
  }

  /**
   * Registers, renews, drains, cancels and re-registers through the leader, so every kind of change
   * (timestamps, guard counters, latest_timestamp, application removal) must replicate.
   */
  private static void writeBatch(String leaderUrl, String tag) {
    for (int n = 0; n < 6; n++) {
      ok(register(leaderUrl, "catchup.a", tag + "-a" + n));
    }
    for (int n = 0; n < 3; n++) {
      ok(register(leaderUrl, "catchup.b." + tag, "b" + n));
    }
    ok(register(leaderUrl, "catchup.gone." + tag, "g0"));
    ok(renew(leaderUrl, "catchup.a", tag + "-a0"));
    ok(renew(leaderUrl, "catchup.b." + tag, "b1"));
    ok(setStatus(leaderUrl, "catchup.a", tag + "-a1", 2));
    ok(cancel(leaderUrl, "catchup.a", tag + "-a2"));
    ok(cancel(leaderUrl, "catchup.gone." + tag, "g0"));
    ok(register(leaderUrl, "catchup.a", tag + "-a3"));
  }

  private static void snapshotEveryNode(TestCluster c, int leader) throws Exception {
    for (int f : c.followers(leader)) {
      awaitSameUserApps(c, f, leader);
    }
    for (int i = 0; i < c.size(); i++) {
      c.node(i).raft().admin().snapshot().get(30, TimeUnit.SECONDS);
    }
  }

  private static void awaitSameUserApps(TestCluster c, int node, int reference) {
    await("node " + node + " has the applications of node " + reference)
        .atMost(CATCH_UP)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                RegistryState.userApps(c.node(node))
                    .equals(RegistryState.userApps(c.node(reference))));
  }

  /**
   * Waits until both nodes have applied the same entries and then holds them to the same state,
   * down to timestamps and guard counters (the nodes' own entries are renewed all the time, so
   * equality is checked whenever both happen to sit on the same applied index).
   */
  private static void awaitIdenticalState(TestCluster c, int node, int reference) {
    RegistryState[] last = new RegistryState[2];
    await("node " + node + " applied what node " + reference + " applied")
        .atMost(CATCH_UP)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              last[1] = RegistryState.of(c.node(reference));
              last[0] = RegistryState.of(c.node(node));
              return last[0].appliedIndex() == last[1].appliedIndex();
            });
    assertThat(last[0]).isEqualTo(last[1]);
    assertThat(last[0].instanceCount()).isGreaterThan(10);
  }

  private static void assertSameFetches(TestCluster c, int node, int reference) {
    for (String appid : List.of("catchup.a", "catchup.b.w0", "catchup.b.w1", "catchup.b.w2")) {
      Http.Response expected = fetch(c.url(reference), appid, true);
      Http.Response actual = fetch(c.url(node), appid, true);
      assertThat(actual.code()).isEqualTo(0);
      assertThat(actual.body()).as(appid).isEqualTo(expected.body());
    }
    assertThat(fetch(c.url(node), "catchup.gone.w1", true).code()).isEqualTo(-404);
  }

  /** The snapshot directories JRaft keeps ({@code snapshot_<last included index>}). */
  private static List<String> snapshotsOf(Path dataDir) throws IOException {
    Path dir = dataDir.resolve("snapshot");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("snapshot_"))
          .sorted()
          .toList();
    }
  }
}
