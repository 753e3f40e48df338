package dev.roster.node.raft;

import static dev.roster.node.testing.Calls.ok;
import static dev.roster.node.testing.Calls.register;
import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Followers apply a change right after the leader commits it, not at the leader's next heartbeat.
 * Long polls parked on a follower are woken by what that follower applies, so this is how soon a
 * watcher connected to a follower hears of a register.
 */
class CommitAnnouncementIT {
  private static final int CHANGES = 8;
  private static final long PROMPT_MS = 300;
  // a 10 s election timeout means a heartbeat every second: a follower that waited for the next
  // heartbeat would apply a change 0.5 s late on average
  private static final Map<String, String> RARE_HEARTBEATS = Map.of("election-timeout", "10s");

  @Test
  void bothFollowersApplyEachChangeWithoutWaitingForAHeartbeat() throws InterruptedException {
    try (TestCluster cluster = TestCluster.start(3, RARE_HEARTBEATS)) {
      int leader = cluster.awaitReady(Duration.ofSeconds(60));
      assertMostChangesPrompt(cluster, leader);
    }
  }

  /**
   * The follower the leader did not need for a majority acknowledges a change after the leader has
   * committed and announced it: here its disk takes 40 ms per write. It must still hear of the
   * commit promptly (the CI machine's slow disk once left such a follower a heartbeat behind).
   */
  @Test
  void aFollowerWithASlowDiskAppliesEachChangeWithoutWaitingForAHeartbeat()
      throws InterruptedException {
    SlowDisk[] disks = new SlowDisk[3];
    try (TestCluster cluster =
        TestCluster.start(
            3,
            RARE_HEARTBEATS,
            i ->
                RaftStorage.of(
                    new DefaultJRaftServiceFactory() {
                      @Override
                      public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
                        disks[i] = new SlowDisk(uri, raftOptions);
                        return disks[i];
                      }
                    }))) {
      int leader = cluster.awaitReady(Duration.ofSeconds(60));
      disks[cluster.followers(leader).get(0)].writeDelayMs = 40;
      assertMostChangesPrompt(cluster, leader);
    }
  }

  private static void assertMostChangesPrompt(TestCluster cluster, int leader)
      throws InterruptedException {
    int prompt = 0;
    StringBuilder lags = new StringBuilder();
    for (int n = 0; n < CHANGES; n++) {
      ok(register(cluster.url(leader), "announce.app", "h" + n));
      long committed = cluster.node(leader).raft().stateMachine().appliedIndex();
      long start = System.nanoTime();
      long deadline = start + 3_000_000_000L;
      while (System.nanoTime() < deadline
          && !cluster.followers(leader).stream()
              .allMatch(f -> cluster.node(f).raft().stateMachine().appliedIndex() >= committed)) {
        Thread.sleep(1);
      }
      long lagMs = (System.nanoTime() - start) / 1_000_000;
      lags.append(lagMs).append(" ms, ");
      if (lagMs < PROMPT_MS) {
        prompt++;
      }
      Thread.sleep(50);
    }
    // the nodes' own renews (every 5 s) may carry a commit index by chance; a busy machine may
    // stall one change: six of eight is what an announcing leader always achieves, a leader
    // that leaves it to heartbeats almost never
    assertThat(prompt)
        .as("changes applied by both followers within %d ms (lags: %s)", PROMPT_MS, lags)
        .isGreaterThanOrEqualTo(CHANGES - 2);
  }

  /** The node's real log, each write finishing {@code writeDelayMs} late. */
  private static final class SlowDisk extends SafeRocksDBLogStorage {
    volatile long writeDelayMs;

    SlowDisk(String path, RaftOptions raftOptions) {
      super(path, raftOptions);
    }

    @Override
    public int appendEntries(List<LogEntry> entries) {
      int written = super.appendEntries(entries);
      LockSupport.parkNanos(Duration.ofMillis(writeDelayMs).toNanos());
      return written;
    }
  }
}
