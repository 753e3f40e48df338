package dev.roster.node.model;

/** An instance the leader found expired, with the renew timestamp it saw when it decided. */
public record EvictTarget(String env, String appid, String hostname, long renewTimestamp) {
  public static EvictTarget of(Instance i) {
    return new EvictTarget(i.env(), i.appid(), i.hostname(), i.renewTimestamp());
  }
}
