package dev.roster.node.raft;

import java.util.concurrent.CompletableFuture;

/**
 * The read side of {@link RaftRegistry}: linearizable reads and the catch-up after start. The data
 * itself is read from {@link RaftRegistry#stateMachine()}.
 */
public interface Reads {
  /**
   * Completes when this node has applied everything committed before the call (linearizable).
   * Concurrent reads share readIndex rounds (see {@link ReadIndexRounds}).
   */
  CompletableFuture<Void> readIndex(long timeoutMs);

  /**
   * True once this node, since it started, has applied everything the leader had committed when
   * some readIndex round began. Before that it may hold an old snapshot, or nothing at all, while
   * the rest of the registry is still to be replayed: {@code /ready} is false and reads wait.
   */
  boolean caughtUp();

  /**
   * Completes at once on a node that has {@linkplain #caughtUp() caught up}; on one that has not,
   * when a readIndex round (run after a leader is known) has brought it up to date, or fails with
   * {@link UnavailableException} after {@code timeoutMs}.
   */
  CompletableFuture<Void> awaitCaughtUp(long timeoutMs);
}
