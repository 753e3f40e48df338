package dev.roster.node.raft;

import static dev.roster.node.util.Concurrency.unwrap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounds the futures the Raft roles hand out and turns their timeouts into Roster failures. */
final class RaftFutures {
  private RaftFutures() {}

  /**
   * {@code future}, failed with {@link UnavailableException} ("no quorum") if it has not completed
   * within {@code timeoutMs}, and with the unwrapped cause if it failed.
   */
  static <T> CompletableFuture<T> within(CompletableFuture<T> future, long timeoutMs) {
    return future
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, timeoutMs)));
  }

  private static Throwable translate(Throwable e, long timeoutMs) {
    Throwable cause = unwrap(e);
    if (cause instanceof TimeoutException) {
      return new UnavailableException("no quorum within " + timeoutMs + " ms");
    }
    return cause;
  }
}
