package dev.roster.node.model;

import java.util.Objects;

/**
 * An instance the leader found expired, with the renew timestamp it saw when it decided and why it
 * may be evicted.
 */
public record EvictTarget(InstanceKey key, long renewTimestamp, EvictionReason reason) {
  public EvictTarget {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(reason, "reason");
  }

  /** A target of a log entry written before reasons were recorded. */
  public EvictTarget(InstanceKey key, long renewTimestamp) {
    this(key, renewTimestamp, EvictionReason.UNRECORDED);
  }

  public static EvictTarget of(Instance i, EvictionReason reason) {
    return new EvictTarget(i.key(), i.renewTimestamp(), reason);
  }

  public static EvictTarget of(Instance i) {
    return of(i, EvictionReason.EXPIRED);
  }
}
