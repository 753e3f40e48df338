package dev.roster.node.raft;

import static dev.roster.node.util.Concurrency.unwrap;

import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.RenewBatchCommand;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gathers renews on the leader into {@link RenewBatchCommand}s. Renews are the bulk of a registry's
 * writes (every instance, every 30 s); one log entry per renew spends most of the leader's and
 * followers' CPU on per-entry Raft overhead.
 *
 * <p>No timer and no added latency: a renew is proposed at once when fewer than {@code maxInFlight}
 * batches are being committed; otherwise it waits for the next batch, which is proposed the moment
 * one completes. Light load gives batches of one; heavy load gives large batches and the same
 * number of entries per second. Each caller is still answered only after its own renew is committed
 * and applied — semantics are exactly those of single renews.
 */
public final class RenewCoalescer {
  private final RaftRegistry raft;
  private final int maxInFlight;
  private final int maxBatch;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  private record Pending(InstanceKey key, CompletableFuture<Optional<Instance>> future) {}

  public RenewCoalescer(RaftRegistry raft, int maxInFlight, int maxBatch) {
    this.raft = raft;
    this.maxInFlight = maxInFlight;
    this.maxBatch = maxBatch;
  }

  /**
   * Renews one instance. Completes with the renewed instance, empty if it is unknown (NotFound), or
   * exceptionally like {@link Writes#propose}.
   */
  public CompletableFuture<Optional<Instance>> renew(InstanceKey key, long timeoutMs) {
    Pending p = new Pending(key, new CompletableFuture<>());
    queue.add(p);
    flush(timeoutMs);
    return p.future
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    e instanceof java.util.concurrent.TimeoutException
                        ? new UnavailableException("no quorum within " + timeoutMs + " ms")
                        : e));
  }

  private void flush(long timeoutMs) {
    while (!queue.isEmpty()) {
      int n = inFlight.get();
      if (n >= maxInFlight) {
        return; // the completion of a batch in flight flushes again
      }
      if (!inFlight.compareAndSet(n, n + 1)) {
        continue;
      }
      List<Pending> batch = new ArrayList<>(Math.min(maxBatch, 64));
      Pending p;
      while (batch.size() < maxBatch && (p = queue.poll()) != null) {
        batch.add(p);
      }
      if (batch.isEmpty()) {
        inFlight.decrementAndGet();
        continue;
      }
      propose(batch, timeoutMs);
    }
  }

  private void propose(List<Pending> batch, long timeoutMs) {
    List<InstanceKey> keys = new ArrayList<>(batch.size());
    batch.forEach(p -> keys.add(p.key()));
    CompletableFuture<ApplyResult<List<Optional<Instance>>>> result;
    try {
      result = raft.writes().propose(ts -> new RenewBatchCommand(ts, keys), timeoutMs);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete(
        (r, e) -> {
          inFlight.decrementAndGet();
          if (e != null) {
            Throwable cause = unwrap(e);
            batch.forEach(p -> p.future().completeExceptionally(cause));
          } else {
            List<Optional<Instance>> renewed = r.value();
            for (int i = 0; i < batch.size(); i++) {
              batch.get(i).future().complete(renewed.get(i));
            }
          }
          flush(timeoutMs);
        });
  }
}
