package dev.roster.node.raft;

import java.time.Instant;

/**
 * The wall clock a leader stamps into every write, in Unix nanoseconds (the unit of every registry
 * timestamp); injectable so that tests can drive it.
 */
@FunctionalInterface
public interface LeaderClock {
  long unixNanos();

  /** This machine's wall clock. */
  static LeaderClock system() {
    return () -> {
      Instant now = Instant.now();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
  }
}
