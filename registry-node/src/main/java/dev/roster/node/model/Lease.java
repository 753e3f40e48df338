package dev.roster.node.model;

/**
 * An instance's own lease, for clients that state one (a Eureka client's {@code leaseInfo}): how
 * often it renews and how long it may go unrenewed before it is evicted. Zero means "the node's
 * setting" ({@code renew-interval}, {@code expire}); clients of the discovery API always send the
 * default.
 */
public record Lease(long renewIntervalMs, long durationMs) {
  public static final Lease DEFAULT = new Lease(0, 0);

  public Lease {
    if (renewIntervalMs < 0) {
      throw new IllegalArgumentException("renewIntervalMs must be >= 0");
    }
    if (durationMs < 0) {
      throw new IllegalArgumentException("durationMs must be >= 0");
    }
  }

  public boolean isDefault() {
    return renewIntervalMs == 0 && durationMs == 0;
  }

  /** The time without a renew after which the instance expires, in nanoseconds. */
  public long expireNanos(long defaultExpireNanos) {
    return durationMs == 0 ? defaultExpireNanos : durationMs * 1_000_000L;
  }
}
