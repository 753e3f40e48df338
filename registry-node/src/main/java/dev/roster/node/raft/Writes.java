package dev.roster.node.raft;

import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.RegistryCommand;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/** The write side of {@link RaftRegistry}: proposals on the leader, stamped by its clock. */
public interface Writes {
  /**
   * Proposes a write built from the leader's timestamp. Completes with the apply result once the
   * entry is committed and applied here, or exceptionally with {@link NotLeaderException} / {@link
   * UnavailableException}; never later than {@code timeoutMs}.
   */
  <R> CompletableFuture<ApplyResult<R>> propose(
      LongFunction<? extends RegistryCommand<R>> command, long timeoutMs);

  /**
   * The leader's wall clock in Unix nanoseconds, never below a timestamp already applied: a new
   * leader whose clock is behind must not move renew timestamps backwards.
   */
  long leaderTimestamp();

  /** The wall clock {@link #leaderTimestamp()} reads. */
  LeaderClock clock();
}
