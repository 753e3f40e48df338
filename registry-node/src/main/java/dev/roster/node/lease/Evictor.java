package dev.roster.node.lease;

import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.EvictCommand;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.Instance;
import dev.roster.node.raft.LeaderTask;
import dev.roster.node.raft.LeadershipListener;
import dev.roster.node.raft.RaftRegistry;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's periodic eviction check. Every evict interval it decides (see {@link
 * EvictionDecision}) and proposes one {@link EvictCommand}, which also closes the guard's renew
 * window in the replicated state — so a new leader inherits the counters. Followers do nothing
 * here.
 */
public final class Evictor implements LeadershipListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Evictor.class);

  private final RaftRegistry raft;
  private final EvictionPolicy policy;
  private final long writeTimeoutMs;
  private final int logCapacity;
  private final LeaderTask task;
  private volatile long leaderSinceNanos;
  private volatile Boolean lastProtecting;

  /**
   * @param logCapacity how many evictions and protection changes the replicated eviction log keeps;
   *     each check carries it, so every replica trims at the same entry
   */
  public Evictor(RaftRegistry raft, EvictionPolicy policy, long writeTimeoutMs, int logCapacity) {
    this.raft = raft;
    this.policy = policy;
    this.writeTimeoutMs = writeTimeoutMs;
    this.logCapacity = logCapacity;
    this.task = new LeaderTask("roster-evictor", policy.evictInterval(), this::check);
  }

  @Override
  public void onLeaderStart(long term) {
    leaderSinceNanos = raft.writes().clock().unixNanos();
    lastProtecting = null;
    task.onLeaderStart(term);
  }

  @Override
  public void onLeaderStop() {
    task.onLeaderStop();
  }

  /** One check; public so tests and operators can run it now. */
  public void check() {
    try {
      if (!raft.leadership().isLeader()) {
        return;
      }
      long now = raft.writes().leaderTimestamp();
      boolean inGrace = now - leaderSinceNanos < policy.expire().toNanos();
      EvictionDecision d =
          raft.stateMachine()
              .read(
                  r ->
                      EvictionDecision.decide(
                          r, now, inGrace, policy, ThreadLocalRandom.current()));
      reportProtection(d);
      ApplyResult<List<Instance>> result =
          raft.writes()
              .propose(
                  ts ->
                      new EvictCommand(
                          ts,
                          d.targets(),
                          true,
                          new EvictionLog.Check(
                              d.protecting(), d.renews(), d.threshold(), logCapacity)),
                  writeTimeoutMs)
              .get(writeTimeoutMs + 1000, TimeUnit.MILLISECONDS);
      int evicted = result.value().size();
      if (evicted > 0 || d.expired() > 0) {
        log.info(
            "evicted {} of {} expired instances{}",
            evicted,
            d.expired(),
            d.protecting() ? " (self-protection on: only those past the eviction ceiling)" : "");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn(
          "eviction check failed: {}",
          e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
    }
  }

  private void reportProtection(EvictionDecision d) {
    Boolean previous = lastProtecting;
    if (previous == null || previous != d.protecting()) {
      lastProtecting = d.protecting();
      if (d.protecting()) {
        log.info(
            "self-protection ON: {} renews in the last window, threshold {}",
            d.renews(),
            d.threshold());
      } else if (previous != null) {
        log.info(
            "self-protection OFF: {} renews in the last window, threshold {}",
            d.renews(),
            d.threshold());
      }
    }
  }

  @Override
  public void close() {
    task.close();
  }
}
