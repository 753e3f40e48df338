package dev.roster.node.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One registered instance, immutable: every change builds a new value, so readers and snapshots can
 * hold on to an instance without copying or locking it. Timestamps are Unix nanoseconds stamped by
 * the leader that accepted the write. {@code lease} and {@code extensions} are as in {@link
 * InstanceSpec}.
 */
public record Instance(
    String region,
    String zone,
    String env,
    String appid,
    String hostname,
    List<String> addrs,
    String version,
    Status status,
    Map<String, String> metadata,
    long regTimestamp,
    long upTimestamp,
    long renewTimestamp,
    long dirtyTimestamp,
    long latestTimestamp,
    Lease lease,
    Map<String, String> extensions) {

  public Instance {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(status, "status");
    addrs = List.copyOf(addrs);
    metadata = Map.copyOf(metadata);
    Objects.requireNonNull(lease, "lease");
    extensions = Map.copyOf(extensions);
  }

  static Instance fresh(InstanceSpec spec, AppKey key, String region, String zone, long ts) {
    return new Instance(
        region,
        zone,
        key.env(),
        key.appid(),
        spec.hostname(),
        spec.addrs(),
        spec.version(),
        spec.status(),
        spec.metadata(),
        ts,
        ts,
        ts,
        ts,
        ts,
        spec.lease(),
        spec.extensions());
  }

  /**
   * The same instance holding the given (shared) copies of its region, zone, env and appid strings.
   */
  Instance sharing(AppKey key, String region, String zone) {
    return new Instance(
        region,
        zone,
        key.env(),
        key.appid(),
        hostname,
        addrs,
        version,
        status,
        metadata,
        regTimestamp,
        upTimestamp,
        renewTimestamp,
        dirtyTimestamp,
        latestTimestamp,
        lease,
        extensions);
  }

  /** A repeated register: new payload, original registration time kept. */
  Instance reregistered(InstanceSpec spec, String region, String zone, long ts) {
    long up = becomesUp(spec.status()) ? ts : upTimestamp;
    return new Instance(
        region,
        zone,
        env,
        appid,
        hostname,
        spec.addrs(),
        spec.version(),
        spec.status(),
        spec.metadata(),
        regTimestamp,
        up,
        ts,
        ts,
        ts,
        spec.lease(),
        spec.extensions());
  }

  Instance renewed(long ts) {
    return new Instance(
        region,
        zone,
        env,
        appid,
        hostname,
        addrs,
        version,
        status,
        metadata,
        regTimestamp,
        upTimestamp,
        ts,
        dirtyTimestamp,
        latestTimestamp,
        lease,
        extensions);
  }

  /** A {@code set}: status and/or metadata changed; {@code null} leaves a field as it is. */
  Instance changed(Status newStatus, Map<String, String> newMetadata, long ts) {
    Status s = newStatus == null ? status : newStatus;
    long up = becomesUp(s) ? ts : upTimestamp;
    Map<String, String> m = newMetadata == null ? metadata : newMetadata;
    return new Instance(
        region,
        zone,
        env,
        appid,
        hostname,
        addrs,
        version,
        s,
        m,
        regTimestamp,
        up,
        renewTimestamp,
        ts,
        ts,
        lease,
        extensions);
  }

  /** Status and extensions replaced (another API's status change, e.g. a Eureka override). */
  Instance withStatusAndExtensions(Status newStatus, Map<String, String> newExtensions, long ts) {
    long up = becomesUp(newStatus) ? ts : upTimestamp;
    return new Instance(
        region,
        zone,
        env,
        appid,
        hostname,
        addrs,
        version,
        newStatus,
        metadata,
        regTimestamp,
        up,
        renewTimestamp,
        ts,
        ts,
        lease,
        newExtensions);
  }

  private boolean becomesUp(Status newStatus) {
    return newStatus == Status.UP && status != Status.UP;
  }

  public InstanceKey key() {
    return new InstanceKey(env, appid, hostname);
  }

  public AppKey appKey() {
    return new AppKey(env, appid);
  }
}
