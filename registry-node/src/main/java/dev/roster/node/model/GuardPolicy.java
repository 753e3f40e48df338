package dev.roster.node.model;

/**
 * How many renews an instance owes per eviction check window ({@code evict_interval /
 * renew_interval}, at least 1) and the fraction of them below which self-protection engages. An
 * instance with its own renew interval ({@link Lease}) owes {@code evict_interval / its interval}
 * instead, when the window's length is known ({@code evictIntervalMs > 0}).
 */
public record GuardPolicy(long renewsPerInstancePerWindow, double threshold, long evictIntervalMs) {
  public static final GuardPolicy DEFAULT = new GuardPolicy(2, 0.85, 60_000);

  public GuardPolicy {
    if (renewsPerInstancePerWindow < 1) {
      throw new IllegalArgumentException("renewsPerInstancePerWindow must be >= 1");
    }
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1]");
    }
    if (evictIntervalMs < 0) {
      throw new IllegalArgumentException("evictIntervalMs must be >= 0");
    }
  }

  /** A policy whose window length is unknown: every instance owes the default number of renews. */
  public GuardPolicy(long renewsPerInstancePerWindow, double threshold) {
    this(renewsPerInstancePerWindow, threshold, 0);
  }

  public static GuardPolicy of(long evictIntervalMs, long renewIntervalMs, double threshold) {
    return new GuardPolicy(
        Math.max(1, evictIntervalMs / renewIntervalMs), threshold, evictIntervalMs);
  }

  /** The renews one instance with this lease owes per window. */
  public long renewsPerWindow(Lease lease) {
    if (lease.renewIntervalMs() == 0 || evictIntervalMs == 0) {
      return renewsPerInstancePerWindow;
    }
    return Math.max(1, evictIntervalMs / lease.renewIntervalMs());
  }
}
