package dev.roster.node.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a caller asks to register: everything of an instance except the timestamps the registry assigns. */
public record InstanceSpec(
    String zone,
    String env,
    String appid,
    String hostname,
    List<String> addrs,
    String version,
    int status,
    Map<String, String> metadata) {

  public InstanceSpec {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(hostname, "hostname");
    addrs = List.copyOf(addrs);
    version = version == null ? "" : version;
    if (!Status.isValid(status)) {
      throw new IllegalArgumentException("status must be 1 (up) or 2 (waiting): " + status);
    }
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public AppKey appKey() {
    return new AppKey(appid, env);
  }
}
