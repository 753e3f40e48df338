package dev.roster.node.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a caller asks to register: everything of an instance except the timestamps the registry
 * assigns. {@code region} is the wider area a zone lies in (Bilibili discovery's clients send it);
 * Roster stores and returns it, and never filters on it.
 *
 * <p>{@code lease} is the instance's own lease ({@link Lease#DEFAULT} from the discovery API), and
 * {@code extensions} holds fields of another wire API (Eureka's {@code InstanceInfo}) kept for that
 * API's view, keyed by a prefix per API; the discovery API never shows them.
 */
public record InstanceSpec(
    String region,
    String zone,
    String env,
    String appid,
    String hostname,
    List<String> addrs,
    String version,
    Status status,
    Map<String, String> metadata,
    Lease lease,
    Map<String, String> extensions) {

  public InstanceSpec {
    region = region == null ? "" : region;
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(hostname, "hostname");
    addrs = List.copyOf(addrs);
    version = version == null ? "" : version;
    Objects.requireNonNull(status, "status");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    lease = lease == null ? Lease.DEFAULT : lease;
    extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
  }

  /** An instance of the discovery API: the default lease, no extensions. */
  public InstanceSpec(
      String region,
      String zone,
      String env,
      String appid,
      String hostname,
      List<String> addrs,
      String version,
      Status status,
      Map<String, String> metadata) {
    this(region, zone, env, appid, hostname, addrs, version, status, metadata, null, null);
  }

  /**
   * An instance without a region: what clients that send none register, and what a log entry of
   * format version 1 (which had no region) holds.
   */
  public InstanceSpec(
      String zone,
      String env,
      String appid,
      String hostname,
      List<String> addrs,
      String version,
      Status status,
      Map<String, String> metadata) {
    this("", zone, env, appid, hostname, addrs, version, status, metadata);
  }

  public InstanceKey key() {
    return new InstanceKey(env, appid, hostname);
  }

  public AppKey appKey() {
    return new AppKey(env, appid);
  }
}
