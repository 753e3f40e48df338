package dev.roster.node.model;

import java.util.Objects;

/** An instance the leader found expired, with the renew timestamp it saw when it decided. */
public record EvictTarget(String env, String appid, String hostname, long renewTimestamp) {
  public EvictTarget {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(hostname, "hostname");
  }

  public static EvictTarget of(Instance i) {
    return new EvictTarget(i.env(), i.appid(), i.hostname(), i.renewTimestamp());
  }
}
