package dev.roster.node.raft;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Who leads the group, as {@link RaftRegistry} sees it, and waits for a leader. */
public interface Leadership {
  boolean isLeader();

  /**
   * The leader as far as this node knows — except one whose process is known to be gone (its Raft
   * port refuses connections, see {@link CrashDetector}): writes are not redirected to a dead node
   * while the election that replaces it runs.
   */
  Optional<NodeId> leader();

  /**
   * Completes with the leader as soon as one is known, or empty after {@code timeoutMs}: a write
   * arriving during an election waits for it instead of failing at once.
   */
  CompletableFuture<Optional<NodeId>> awaitLeader(long timeoutMs);

  /** Completes with the first leader other than {@code previous}, or empty after the timeout. */
  CompletableFuture<Optional<NodeId>> awaitLeaderOtherThan(NodeId previous, long timeoutMs);
}
