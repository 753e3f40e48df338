package dev.roster.node.raft;

import com.alipay.sofa.jraft.entity.PeerId;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Knows who leads (leaving out a leader found dead) and waits, in one polling loop, for one. */
final class LeaderTracker implements Leadership {
  private static final long POLL_MS = 10;

  private final RaftNode raft;
  private final CrashDetector crashDetector;
  private final ScheduledExecutorService timer;

  LeaderTracker(RaftNode raft, CrashDetector crashDetector, ScheduledExecutorService timer) {
    this.raft = raft;
    this.crashDetector = crashDetector;
    this.timer = timer;
  }

  @Override
  public boolean isLeader() {
    return raft.isLeader();
  }

  @Override
  public Optional<NodeId> leader() {
    PeerId suspect = crashDetector.suspect();
    return raft.raftLeader().filter(l -> !l.equals(suspect)).map(NodeId::of);
  }

  @Override
  public CompletableFuture<Optional<NodeId>> awaitLeader(long timeoutMs) {
    return awaitLeaderWhere(l -> true, timeoutMs);
  }

  @Override
  public CompletableFuture<Optional<NodeId>> awaitLeaderOtherThan(NodeId previous, long timeoutMs) {
    return awaitLeaderWhere(l -> !l.equals(previous), timeoutMs);
  }

  /** Completes with the first known leader that {@code wanted} accepts, or empty at timeout. */
  private CompletableFuture<Optional<NodeId>> awaitLeaderWhere(
      Predicate<NodeId> wanted, long timeoutMs) {
    CompletableFuture<Optional<NodeId>> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Runnable[] check = new Runnable[1];
    check[0] =
        () -> {
          Optional<NodeId> leader = leader().filter(wanted);
          if (leader.isPresent() || System.nanoTime() - deadline >= 0) {
            result.complete(leader);
          } else {
            timer.schedule(check[0], POLL_MS, TimeUnit.MILLISECONDS);
          }
        };
    check[0].run();
    return result;
  }
}
