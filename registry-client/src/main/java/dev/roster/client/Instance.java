package dev.roster.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of an application: what you {@linkplain RosterClient#register register} (build it
 * with {@link #builder(String, String)}) and what discovery returns. Timestamps are Unix
 * nanoseconds stamped by the registry; they are 0 in an instance you built yourself.
 *
 * @param appid application id, e.g. {@code billing.api}
 * @param hostname the instance's unique name within its application
 * @param addrs where to reach it, e.g. {@code http://10.0.0.7:8080}; at least one
 * @param zone its zone; {@code null} in an instance you built means the client's zone
 * @param region the region the instance runs in, free text; empty when none is set (and when the
 *     registry's answer has no {@code region} field, as an older registry's does not)
 * @param env its environment; {@code null} in an instance you built (the client's env is used)
 * @param version free text, may be empty
 * @param status whether it takes traffic
 * @param metadata free key/value pairs
 */
public record Instance(
    String appid,
    String hostname,
    List<String> addrs,
    String zone,
    String region,
    String env,
    String version,
    Status status,
    Map<String, String> metadata,
    long regTimestamp,
    long upTimestamp,
    long renewTimestamp,
    long dirtyTimestamp,
    long latestTimestamp) {

  public Instance {
    Args.text(appid, "appid");
    Args.text(hostname, "hostname");
    Args.notNull(addrs, "addrs");
    if (addrs.isEmpty()) {
      throw new IllegalArgumentException("addrs: at least one address is required");
    }
    addrs.forEach(a -> Args.text(a, "addrs"));
    addrs = List.copyOf(addrs);
    region = region == null ? "" : region;
    version = version == null ? "" : version;
    Args.notNull(status, "status");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** Starts an instance of {@code appid} named {@code hostname}; add at least one address. */
  public static Builder builder(String appid, String hostname) {
    return new Builder(appid, hostname);
  }

  /** A copy with another status. */
  public Instance withStatus(Status newStatus) {
    return new Instance(
        appid,
        hostname,
        addrs,
        zone,
        region,
        env,
        version,
        newStatus,
        metadata,
        regTimestamp,
        upTimestamp,
        renewTimestamp,
        dirtyTimestamp,
        latestTimestamp);
  }

  /**
   * Builds the instance to register. Defaults: status UP, the client's zone, no region, no version,
   * no metadata. Every method throws {@link IllegalArgumentException} naming the argument when it
   * is null or invalid.
   */
  public static final class Builder {
    private final String appid;
    private final String hostname;
    private final List<String> addrs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String zone;
    private String region = "";
    private String version = "";
    private Status status = Status.UP;

    private Builder(String appid, String hostname) {
      this.appid = appid;
      this.hostname = hostname;
    }

    /** Adds addresses, e.g. {@code "http://10.0.0.7:8080", "grpc://10.0.0.7:9090"}. */
    public Builder addrs(String... more) {
      for (String a : Args.notNull(more, "addrs")) {
        Args.text(a, "addrs");
        addrs.add(a);
      }
      return this;
    }

    /** The zone to register in; default: the client's zone. */
    public Builder zone(String zone) {
      this.zone = zone;
      return this;
    }

    /**
     * The region the instance runs in, sent as {@code region} on register; free text, e.g. {@code
     * cn-east}. Default empty: no region (the parameter is not sent).
     */
    public Builder region(String region) {
      this.region = Args.notNull(region, "region");
      return this;
    }

    public Builder version(String version) {
      this.version = Args.notNull(version, "version");
      return this;
    }

    /** Status to register with; default UP. Register WAITING and switch to UP once ready. */
    public Builder status(Status status) {
      this.status = Args.notNull(status, "status");
      return this;
    }

    public Builder metadata(String key, String value) {
      Args.notNull(key, "metadata key");
      metadata.put(key, Args.notNull(value, "metadata value of '" + key + "'"));
      return this;
    }

    public Builder metadata(Map<String, String> entries) {
      Args.notNull(entries, "metadata").forEach(this::metadata);
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the missing or invalid field
     */
    public Instance build() {
      return new Instance(
          appid, hostname, addrs, zone, region, null, version, status, metadata, 0, 0, 0, 0, 0);
    }
  }
}
