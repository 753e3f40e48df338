package dev.roster.node.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a caller asks to register: everything of an instance except the timestamps the registry
 * assigns. {@code region} is the wider area a zone lies in (Bilibili discovery's clients send it);
 * Roster stores and returns it, and never filters on it.
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
    Map<String, String> metadata) {

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
