package dev.roster.node.model;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The registry as its readers see it: queries only. Everything outside the commands (HTTP handlers,
 * polls, the leader's eviction check, snapshots, digests) gets this view, so the only way to change
 * the registry is a command applied through the log.
 */
public interface RegistryView {
  /**
   * Instances of one application matching the zone (null or empty: all zones) and the status
   * bitmask; not modified when the caller already has {@code latestTimestamp} or newer.
   */
  Fetch fetch(String env, String appid, String zone, int statusMask, long latestTimestamp);

  Optional<Application> application(String env, String appid);

  Optional<Instance> instance(InstanceKey key);

  Collection<Application> applications();

  int applicationCount();

  long instanceCount();

  /** Instances self-protection counts on (see the {@link Registry} constructor). */
  long guardedInstanceCount();

  /** Renews self-protection expects per window from the guarded instances. */
  long expectedRenews();

  long renewThreshold();

  /** True while the last closed window had fewer renews than the threshold. */
  boolean protecting();

  Guard guard();

  /** The changes of the last three minutes, latest per instance (Eureka's delta). */
  RecentChanges recentChanges();

  /**
   * Instances whose last renew is more than their lease's duration before {@code now}; {@code
   * expireNanos} for the instances of the default lease.
   */
  List<Instance> expired(long now, long expireNanos);

  /** The replicated log of evictions and self-protection changes. */
  EvictionLog evictionLog();
}
