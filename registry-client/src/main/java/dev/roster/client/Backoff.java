package dev.roster.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * How long to wait after a run of failures: exponential from a minimum, doubling per failure up to
 * a maximum, then "equal jitter" (a random wait between half and all of it).
 */
final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private final LongUnaryOperator randomBelow;

  Backoff(Duration min, Duration max) {
    this(min, max, bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /**
   * @param randomBelow a random number from 0 (inclusive) to its argument (exclusive)
   */
  Backoff(Duration min, Duration max, LongUnaryOperator randomBelow) {
    this.minMillis = min.toMillis();
    this.maxMillis = max.toMillis();
    this.randomBelow = randomBelow;
  }

  /** The wait after {@code failures} failures in a row (1 for the first). */
  long millis(int failures) {
    long d = minMillis;
    for (int i = 1; i < failures && d < maxMillis; i++) {
      d *= 2;
    }
    d = Math.min(d, maxMillis);
    long half = d / 2;
    return half + randomBelow.applyAsLong(d - half + 1);
  }

  /** {@link #millis(int)} of a backoff from {@code min} to {@code max}. */
  static long millis(int failures, Duration min, Duration max) {
    return new Backoff(min, max).millis(failures);
  }
}
