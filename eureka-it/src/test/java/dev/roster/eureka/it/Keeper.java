package dev.roster.eureka.it;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews what a test registered itself (Roster-native instances, hand-made Eureka instances) until
 * closed, as their own clients would: the nodes expire an instance after 12 s without a renew.
 */
final class Keeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Keeper.class);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "eureka-it-keeper");
            t.setDaemon(true);
            return t;
          });

  void every(Duration period, String what, Runnable renew) {
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            renew.run();
          } catch (RuntimeException e) {
            log.warn("renew of {} failed: {}", what, e.toString());
          }
        },
        period.toMillis(),
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
