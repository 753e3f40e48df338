package dev.roster.node.model;

/**
 * How many renews an instance owes per eviction check window ({@code evict_interval /
 * renew_interval}, at least 1) and the fraction of them below which self-protection engages.
 */
public record GuardPolicy(long renewsPerInstancePerWindow, double threshold) {
  public static final GuardPolicy DEFAULT = new GuardPolicy(2, 0.85);

  public GuardPolicy {
    if (renewsPerInstancePerWindow < 1) {
      throw new IllegalArgumentException("renewsPerInstancePerWindow must be >= 1");
    }
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1]");
    }
  }

  public static GuardPolicy of(long evictIntervalMs, long renewIntervalMs, double threshold) {
    return new GuardPolicy(Math.max(1, evictIntervalMs / renewIntervalMs), threshold);
  }
}
