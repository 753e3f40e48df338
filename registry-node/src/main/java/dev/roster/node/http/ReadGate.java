package dev.roster.node.http;

import dev.roster.node.raft.RaftRegistry;
import dev.roster.node.raft.Reads;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * When a read may run: after a readIndex round when the caller asked for {@code consistent}, and on
 * a node that has not caught up since it started, once it has. Beside {@link WriteGate}, with the
 * same time budget.
 */
final class ReadGate {
  private final RaftRegistry raft;
  private final long budgetMs;

  ReadGate(RaftRegistry raft, long budgetMs) {
    this.raft = raft;
    this.budgetMs = budgetMs;
  }

  /**
   * Runs a read locally, after a readIndex round when the caller asked for {@code consistent}; on a
   * node that has not caught up since it started, after it has (see {@link Reads#caughtUp()}).
   */
  CompletableFuture<Reply> after(Params p, Supplier<Reply> read) {
    if (p.bool("consistent", false)) {
      return raft.reads().readIndex(budgetMs).thenApply(v -> read.get());
    }
    return onceCaughtUp(() -> CompletableFuture.completedFuture(read.get()));
  }

  /**
   * Starts {@code read} at once on a node that has caught up since it started, and otherwise once
   * it has (or fails with -503, see {@link Reads#awaitCaughtUp}). Cancelling the result — the
   * client went away — cancels what {@code read} started, so a parked poll frees its slot.
   */
  CompletableFuture<Reply> onceCaughtUp(Supplier<CompletableFuture<Reply>> read) {
    if (raft.reads().caughtUp()) {
      return read.get();
    }
    CompletableFuture<Reply> result = new CompletableFuture<>();
    raft.reads()
        .awaitCaughtUp(budgetMs)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
                return;
              }
              if (result.isDone()) {
                return;
              }
              try {
                CompletableFuture<Reply> started = read.get();
                result.whenComplete((r, x) -> started.cancel(false));
                started.whenComplete(
                    (r, x) -> {
                      if (x != null) {
                        result.completeExceptionally(x);
                      } else {
                        result.complete(r);
                      }
                    });
              } catch (RuntimeException x) {
                result.completeExceptionally(x);
              }
            });
    return result;
  }
}
