package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import java.util.concurrent.TimeUnit;

/**
 * The follower's side of {@link CommitAnnouncer}: a heartbeat can only advance a follower's commit
 * index up to what that follower had acknowledged when the leader built it, so a follower whose own
 * log write finished after the leader's announcement (a slower disk, a busy core) misses it and
 * would wait for the next heartbeat. Every 10 ms a follower that holds entries it has not seen
 * committed, and whose commit index did not move since the last check, asks the leader for a
 * readIndex: the leader answers by sending every follower a heartbeat, which covers what this
 * follower has acknowledged by then. An ask can come too early (the leader has not committed yet,
 * or has not yet heard this follower's acknowledgement), so while the stall lasts the follower asks
 * again, 10, 20, then every 40 ms (or every heartbeat, if the leader's heartbeats come more often):
 * an ask costs one small RPC and a heartbeat round, 25 a second at most during a long stall. Under
 * steady traffic the commit index moves between checks and nothing is sent.
 */
final class FollowerCommitCatchUp {
  static final long CHECK_EVERY_MS = 10;
  // a follower's acknowledgement can come any time after its first ask: ask at least this often
  private static final long MAX_GAP_MS = 40;

  private final RaftNode raft;
  private final RegistryStateMachine fsm;
  private final long maxGapMs;
  // state of the check (timer thread only)
  private long lastSeenCommitted = -1;
  private long gapMs;
  private long nextAskNanos;

  FollowerCommitCatchUp(RaftNode raft, RegistryStateMachine fsm, long electionTimeoutMs) {
    this.raft = raft;
    this.fsm = fsm;
    this.maxGapMs = Math.max(CHECK_EVERY_MS, Math.min(MAX_GAP_MS, electionTimeoutMs / 10));
  }

  /** The periodic check, every {@value #CHECK_EVERY_MS} ms. */
  void check() {
    Node n = raft.node();
    if (n == null || fsm.isLeader()) {
      return;
    }
    long committed = n.getLastCommittedIndex();
    long now = System.nanoTime();
    if (committed != lastSeenCommitted || n.getLastLogIndex() <= committed) {
      // moving, or nothing to wait for: ask at the next stalled check
      lastSeenCommitted = committed;
      gapMs = CHECK_EVERY_MS;
      nextAskNanos = now;
      return;
    }
    if (now - nextAskNanos >= 0 && raft.raftLeader().isPresent()) {
      askLeaderForCommitIndex(n);
      nextAskNanos = now + TimeUnit.MILLISECONDS.toNanos(gapMs);
      gapMs = Math.min(gapMs * 2, maxGapMs);
    }
  }

  /**
   * One readIndex straight to JRaft, not through {@link ReadIndexRounds}: reads on a stalled
   * follower wait for the very apply this ask is meant to unblock, and would hold the rounds.
   */
  private static void askLeaderForCommitIndex(Node n) {
    n.readIndex(
        ReadIndexRounds.NO_CONTEXT,
        new ReadIndexClosure() {
          @Override
          public void run(Status status, long index, byte[] reqCtx) {
            // nothing to do: the leader's heartbeat has already carried the commit index here
          }
        });
  }
}
