package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import dev.roster.node.util.Concurrency;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Catch-up after start: until a readIndex round has succeeded since start, this node's state may be
 * a snapshot plus a log it has not yet been told is committed (JRaft applies nothing past the
 * snapshot before the leader's first message). It runs one as soon as a leader is known, and again
 * until one succeeds, and lets reads wait for it.
 */
final class StartupCatchUp {
  private final RaftNode raft;
  private final ReadIndexRounds rounds;
  private final Leadership leadership;
  private final long electionTimeoutMs;
  private volatile boolean startupReadPending;

  StartupCatchUp(
      RaftNode raft, ReadIndexRounds rounds, Leadership leadership, long electionTimeoutMs) {
    this.raft = raft;
    this.rounds = rounds;
    this.leadership = leadership;
    this.electionTimeoutMs = electionTimeoutMs;
  }

  /** The periodic check: starts the startup round once a leader is known. */
  void confirmCaughtUp() {
    if (raft.node() == null || caughtUp() || startupReadPending || raft.raftLeader().isEmpty()) {
      return;
    }
    startupReadPending = true;
    rounds.readIndex(electionTimeoutMs).whenComplete((v, e) -> startupReadPending = false);
  }

  /**
   * True once this node, since it started, has applied everything the leader had committed when
   * some readIndex round began. Before that it may hold an old snapshot, or nothing at all, while
   * the rest of the registry is still to be replayed: {@code /ready} is false and reads wait.
   */
  boolean caughtUp() {
    return rounds.succeededOnce();
  }

  /**
   * Completes at once on a node that has {@linkplain #caughtUp() caught up}; on one that has not,
   * when a readIndex round (run after a leader is known) has brought it up to date, or fails with
   * {@link UnavailableException} after {@code timeoutMs}.
   */
  CompletableFuture<Void> awaitCaughtUp(long timeoutMs) {
    if (caughtUp()) {
      return CompletableFuture.completedFuture(null);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    return leadership
        .awaitLeader(timeoutMs)
        .thenCompose(
            leader -> {
              if (leader.isEmpty()) {
                throw new UnavailableException("no leader known");
              }
              long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
              return rounds.readIndex(Math.max(1, leftMs));
            })
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    new UnavailableException(
                        "this node has not caught up with the cluster since it started ("
                            + progress(e)
                            + "); try another node")));
  }

  /** Why a node is not caught up yet: no leader, still replaying (how far), or what failed. */
  private String progress(Throwable failure) {
    Node n = raft.node();
    if (n == null || raft.raftLeader().isEmpty()) {
      return "no leader known";
    }
    long applied = n.getLastAppliedLogIndex();
    long committed = n.getLastCommittedIndex();
    if (applied < committed) {
      return "applied " + applied + " of " + committed + " committed entries";
    }
    return Concurrency.unwrap(failure).getMessage();
  }
}
