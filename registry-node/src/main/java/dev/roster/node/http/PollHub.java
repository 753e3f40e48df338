package dev.roster.node.http;

import dev.roster.node.model.AppKey;
import dev.roster.node.raft.ApplyListener;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Parked long polls. A poll costs a small object, an index entry per application and a timer slot:
 * no thread. The state machine wakes the polls of the applications a batch of entries changed
 * (after it released its lock); each woken poll re-evaluates itself and answers or stays parked.
 */
public final class PollHub implements ApplyListener, AutoCloseable {
  private final Map<AppKey, Set<Parked>> byApp = new ConcurrentHashMap<>();
  private final Set<Parked> all = ConcurrentHashMap.newKeySet();
  private final HashedWheelTimer timer =
      new HashedWheelTimer(
          new DefaultThreadFactory("roster-poll-timer", true), 10, TimeUnit.MILLISECONDS);
  // wakes run here, not on the state-machine thread, so thousands of polls never slow applying
  private final ExecutorService waker =
      Executors.newSingleThreadExecutor(new DefaultThreadFactory("roster-poll-waker", true));
  private volatile boolean closed;

  /**
   * Parks a poll on {@code keys}. {@code evaluate} returns the answer if there is one now, or null
   * to keep waiting; it is called at once, on every change of one of the keys, and never after the
   * poll is answered. After {@code holdMs} the poll is answered with {@code onHold}.
   */
  public CompletableFuture<Reply> park(
      Set<AppKey> keys, Supplier<Reply> evaluate, long holdMs, Supplier<Reply> onHold) {
    if (closed) {
      return CompletableFuture.completedFuture(shuttingDown());
    }
    Parked p = new Parked(keys, evaluate);
    for (AppKey k : keys) {
      // added inside compute: with computeIfAbsent(...).add(p) the set could be dropped from the
      // map (its last poll leaving, in unpark) between the lookup and the add, and this poll
      // would sit in a set no change ever visits until its hold ran out
      byApp.compute(
          k,
          (key, set) -> {
            Set<Parked> polls = set != null ? set : ConcurrentHashMap.newKeySet();
            polls.add(p);
            return polls;
          });
    }
    all.add(p);
    // a change applied between the caller's first look and the registration above is not lost:
    // evaluating again after registering catches it
    p.tryAnswer();
    if (!p.future.isDone()) {
      p.timeout = timer.newTimeout(t -> p.finish(onHold.get()), holdMs, TimeUnit.MILLISECONDS);
    }
    // a closed connection cancels the future: free the slot
    p.future.whenComplete((r, e) -> unpark(p));
    if (closed) {
      p.finish(shuttingDown());
    }
    return p.future;
  }

  public int parked() {
    return all.size();
  }

  @Override
  public void onApplied(Set<AppKey> changed) {
    if (closed) {
      return;
    }
    if (changed == null) {
      waker.execute(() -> all.forEach(Parked::tryAnswer));
      return;
    }
    for (AppKey k : changed) {
      if (byApp.containsKey(k)) {
        waker.execute(
            () -> {
              Set<Parked> polls = byApp.get(k);
              if (polls != null) {
                polls.forEach(Parked::tryAnswer);
              }
            });
      }
    }
  }

  private void unpark(Parked p) {
    all.remove(p);
    for (AppKey k : p.keys) {
      byApp.computeIfPresent(
          k,
          (key, set) -> {
            set.remove(p);
            return set.isEmpty() ? null : set;
          });
    }
    Timeout t = p.timeout;
    if (t != null) {
      t.cancel();
    }
  }

  /** Answers every parked poll (the node is going away) and refuses new ones. */
  @Override
  public void close() {
    closed = true;
    all.forEach(p -> p.finish(shuttingDown()));
    waker.shutdownNow();
    timer.stop();
  }

  private static Reply shuttingDown() {
    return Reply.of(Code.UNAVAILABLE, "node is shutting down; poll another node");
  }

  private static final class Parked {
    final Set<AppKey> keys;
    final Supplier<Reply> evaluate;
    final CompletableFuture<Reply> future = new CompletableFuture<>();
    volatile Timeout timeout;

    Parked(Set<AppKey> keys, Supplier<Reply> evaluate) {
      this.keys = keys;
      this.evaluate = evaluate;
    }

    void tryAnswer() {
      if (future.isDone()) {
        return;
      }
      Reply r;
      try {
        r = evaluate.get();
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
        return;
      }
      if (r != null) {
        future.complete(r);
      }
    }

    void finish(Reply r) {
      future.complete(r);
    }
  }
}
