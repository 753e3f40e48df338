package dev.roster.node.lease;

import java.time.Duration;

/**
 * When the leader evicts: instances not renewed within {@code expire} are candidates; under
 * self-protection only those silent for longer than {@code ceiling} are; one check removes at most
 * {@code capFraction} of all instances.
 */
public record EvictionPolicy(
    Duration evictInterval, Duration expire, Duration ceiling, double capFraction) {
  /** Eureka and Bilibili discovery evict at most 15 % of the registry per check. */
  public static final double DEFAULT_CAP = 0.15;

  public EvictionPolicy {
    if (!(capFraction > 0 && capFraction <= 1)) {
      throw new IllegalArgumentException("capFraction must be in (0, 1]");
    }
  }

  /**
   * The most instances one check may evict: {@code n - floor(n * (1 - cap))}, as Eureka computes
   * it, so that a registry of a few instances can still lose one per check.
   */
  public long cap(long instances) {
    return instances - (long) Math.floor(instances * (1 - capFraction) + 1e-9);
  }
}
