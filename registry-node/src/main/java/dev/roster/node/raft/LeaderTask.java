package dev.roster.node.raft;

import static dev.roster.node.util.Concurrency.daemonThreads;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A periodic job that runs only while this node leads (eviction, the node list's liveness): started
 * when the node is elected, first run one period later, stopped when it steps down or closes. It
 * has one daemon thread of its own, so a slow run (a proposal waiting for a quorum) delays only the
 * job itself.
 */
public final class LeaderTask implements LeadershipListener, AutoCloseable {
  private final long periodMs;
  private final Runnable job;
  private final ScheduledExecutorService timer;
  private ScheduledFuture<?> scheduled;

  public LeaderTask(String threadName, Duration period, Runnable job) {
    this.periodMs = period.toMillis();
    this.job = job;
    this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads(threadName));
  }

  @Override
  public synchronized void onLeaderStart(long term) {
    onLeaderStop();
    try {
      scheduled = timer.scheduleAtFixedRate(job, periodMs, periodMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopped) {
      scheduled = null; // shutting down: JRaft can still elect this node while it stops
    }
  }

  @Override
  public synchronized void onLeaderStop() {
    if (scheduled != null) {
      scheduled.cancel(false);
      scheduled = null;
    }
  }

  @Override
  public void close() {
    onLeaderStop();
    timer.shutdownNow();
  }
}
