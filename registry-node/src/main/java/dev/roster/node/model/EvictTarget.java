package dev.roster.node.model;

import java.util.Objects;

/** An instance the leader found expired, with the renew timestamp it saw when it decided. */
public record EvictTarget(InstanceKey key, long renewTimestamp) {
  public EvictTarget {
    Objects.requireNonNull(key, "key");
  }

  public static EvictTarget of(Instance i) {
    return new EvictTarget(i.key(), i.renewTimestamp());
  }
}
