package dev.roster.console.it;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Renews instances every {@code interval} until closed, as their clients would (under {@code
 * TestCluster.SHORT_TIMINGS} an instance nobody renews is gone after 2 s). A renew that fails is
 * tried again at the next tick.
 */
final class Renewer implements AutoCloseable {
  private final Api api;
  private final Set<List<String>> kept = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "console-it-renewer");
            t.setDaemon(true);
            return t;
          });

  Renewer(Api api, Duration interval) {
    this.api = api;
    timer.scheduleWithFixedDelay(
        this::renewAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Registers the instance and keeps it renewed. */
  void register(String appid, String hostname) {
    api.register(appid, hostname);
    kept.add(List.of(appid, hostname));
  }

  private void renewAll() {
    for (List<String> k : kept) {
      try {
        api.renew(k.get(0), k.get(1));
      } catch (RuntimeException e) {
        // no node answered for a while (a failover): the next tick tries again
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
