package dev.roster.node.config;

import dev.roster.node.model.EvictionLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything a node is configured with, validated. Built from settings keyed by the command-line
 * flag names ({@code http}, {@code renew-interval}, ...), whatever their source: flags, a config
 * file, or a test.
 */
public record NodeConfig(
    HostPort http,
    String advertise,
    HostPort raft,
    List<HostPort> peers,
    Path dataDir,
    String zone,
    Duration renewInterval,
    Duration evictInterval,
    Duration expire,
    double protectThreshold,
    Duration evictCeiling,
    Duration pollHold,
    Duration electionTimeout,
    Duration snapshotInterval,
    long snapshotOps,
    Duration shutdownGrace,
    boolean join,
    String clusterUrl,
    String eurekaEnv,
    int evictionLogSize,
    Path adminTokenFile,
    Path writeTokenFile,
    Path readTokenFile,
    Path tlsCert,
    Path tlsKey,
    Path tlsCa,
    Path tlsClientCa) {

  /** Every setting with its default; {@code peers} and {@code advertise} default from others. */
  public static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("http", "127.0.0.1:7171");
    d.put("advertise", "");
    d.put("cluster-url", "");
    d.put("raft", "127.0.0.1:7271");
    d.put("peers", "");
    d.put("data", "./roster-data");
    d.put("zone", "default");
    d.put("renew-interval", "30s");
    d.put("evict-interval", "60s");
    d.put("expire", "90s");
    d.put("protect-threshold", "0.85");
    d.put("evict-ceiling", "1h");
    d.put("poll-hold", "30s");
    d.put("election-timeout", "1000ms");
    d.put("snapshot-interval", "1h");
    d.put("snapshot-ops", "100000");
    d.put("shutdown-grace", "5s");
    d.put("join", "false");
    d.put("eureka-env", "prod");
    d.put("eviction-log-size", "1000");
    d.put("admin-token-file", "");
    d.put("write-token-file", "");
    d.put("read-token-file", "");
    d.put("tls-cert", "");
    d.put("tls-key", "");
    d.put("tls-ca", "");
    d.put("tls-client-ca", "");
    return Collections.unmodifiableMap(d);
  }

  public NodeConfig {
    peers = List.copyOf(peers);
  }

  /** Validates settings (unknown keys included) and fills in defaults. */
  public static NodeConfig fromSettings(Map<String, String> settings) {
    for (String key : settings.keySet()) {
      if (!DEFAULTS.containsKey(key)) {
        throw new ConfigException(
            "unknown setting '" + key + "' (known: " + String.join(", ", DEFAULTS.keySet()) + ")");
      }
    }
    Map<String, String> s = new LinkedHashMap<>(DEFAULTS);
    settings.forEach((k, v) -> s.put(k, v == null ? "" : v.trim()));

    HostPort http = get(s, "http", HostPort::parse);
    HostPort raft = get(s, "raft", HostPort::parse);
    List<HostPort> peers = new ArrayList<>();
    for (String p : s.get("peers").split(",")) {
      if (!p.isBlank()) {
        peers.add(get(Map.of("peers", p), "peers", HostPort::parse));
      }
    }
    if (peers.isEmpty()) {
      peers.add(raft);
    }
    if (!peers.contains(raft)) {
      throw new ConfigException(
          "peers: " + s.get("peers") + " does not include this node's raft address " + raft);
    }
    Path tlsCert = optionalPath(s, "tls-cert");
    Path tlsKey = optionalPath(s, "tls-key");
    Path tlsCa = optionalPath(s, "tls-ca");
    Path tlsClientCa = optionalPath(s, "tls-client-ca");
    boolean tls = tlsCert != null;
    if (tls != (tlsKey != null)) {
      throw new ConfigException(
          tls ? "tls-key: needed with tls-cert" : "tls-cert: needed with tls-key");
    }
    if (tls && tlsCa == null) {
      throw new ConfigException(
          "tls-ca: needed with tls-cert: the nodes accept each other's certificates only if this"
              + " CA signed them");
    }
    if (!tls && (tlsCa != null || tlsClientCa != null)) {
      throw new ConfigException(
          (tlsCa != null ? "tls-ca" : "tls-client-ca") + ": needs tls-cert and tls-key too");
    }
    String scheme = tls ? "https://" : "http://";
    String advertise = s.get("advertise");
    if (advertise.isEmpty()) {
      advertise =
          scheme + (isWildcard(http.host()) ? "127.0.0.1" : http.host()) + ":" + http.port();
    } else if (!advertise.startsWith("http://") && !advertise.startsWith("https://")) {
      throw new ConfigException(
          "advertise: '" + advertise + "' must be an http:// or https:// URL");
    }
    advertise = trimSlash(advertise);
    String clusterUrl = s.get("cluster-url");
    if (clusterUrl.isEmpty()) {
      clusterUrl = advertise;
    } else if (!clusterUrl.startsWith("http://") && !clusterUrl.startsWith("https://")) {
      throw new ConfigException(
          "cluster-url: '" + clusterUrl + "' must be an http:// or https:// URL");
    }
    clusterUrl = trimSlash(clusterUrl);
    if (tls && !advertise.startsWith("https://")) {
      throw new ConfigException(
          "advertise: '"
              + advertise
              + "' must be an https:// URL: this node serves HTTPS (tls-cert)");
    }
    if (tls && !clusterUrl.startsWith("https://")) {
      throw new ConfigException(
          "cluster-url: '"
              + clusterUrl
              + "' must be an https:// URL: this node serves HTTPS (tls-cert)");
    }
    String data = s.get("data");
    if (data.isEmpty()) {
      throw new ConfigException("data: must not be empty");
    }
    String zone = s.get("zone");
    if (zone.isEmpty()) {
      throw new ConfigException("zone: must not be empty");
    }
    Duration renew = positive(s, "renew-interval");
    Duration evict = positive(s, "evict-interval");
    Duration expire = positive(s, "expire");
    double threshold = get(s, "protect-threshold", Double::parseDouble);
    if (!(threshold > 0 && threshold <= 1)) {
      throw new ConfigException("protect-threshold: " + threshold + " must be in (0, 1]");
    }
    Duration ceiling = positive(s, "evict-ceiling");
    if (expire.compareTo(renew) <= 0) {
      throw new ConfigException(
          "expire ("
              + Durations.format(expire)
              + ") must be longer than renew-interval ("
              + Durations.format(renew)
              + ")");
    }
    if (ceiling.compareTo(expire) < 0) {
      throw new ConfigException(
          "evict-ceiling ("
              + Durations.format(ceiling)
              + ") must not be shorter than expire ("
              + Durations.format(expire)
              + ")");
    }
    Duration election = positive(s, "election-timeout");
    if (election.toMillis() < 100) {
      throw new ConfigException("election-timeout: must be at least 100ms");
    }
    // JRaft takes the election timeout as int milliseconds and the snapshot period as int seconds
    if (election.toMillis() > Integer.MAX_VALUE) {
      throw new ConfigException("election-timeout: must be at most " + Integer.MAX_VALUE + "ms");
    }
    Duration snapshot = positive(s, "snapshot-interval");
    if (snapshot.toSeconds() < 1) {
      throw new ConfigException("snapshot-interval: must be at least 1s");
    }
    if (snapshot.toSeconds() > Integer.MAX_VALUE) {
      throw new ConfigException("snapshot-interval: must be at most " + Integer.MAX_VALUE + "s");
    }
    String eurekaEnv = s.get("eureka-env");
    if (eurekaEnv.isEmpty()
        || eurekaEnv
            .chars()
            .anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new ConfigException("eureka-env: must be a non-empty env name without spaces");
    }
    long snapshotOps = get(s, "snapshot-ops", Long::parseLong);
    if (snapshotOps < 1000) {
      throw new ConfigException("snapshot-ops: must be at least 1000, got " + snapshotOps);
    }
    int evictionLogSize = get(s, "eviction-log-size", Integer::parseInt);
    if (evictionLogSize < 1 || evictionLogSize > EvictionLog.MAX_CAPACITY) {
      throw new ConfigException(
          "eviction-log-size: must be in 1.."
              + EvictionLog.MAX_CAPACITY
              + ", got "
              + evictionLogSize);
    }
    Path adminTokens = optionalPath(s, "admin-token-file");
    Path writeTokens = optionalPath(s, "write-token-file");
    Path readTokens = optionalPath(s, "read-token-file");
    if (adminTokens == null && (writeTokens != null || readTokens != null)) {
      throw new ConfigException(
          (writeTokens != null ? "write-token-file" : "read-token-file")
              + " needs admin-token-file too: the nodes send an admin token to each other");
    }
    return new NodeConfig(
        http,
        advertise,
        raft,
        peers,
        Path.of(data),
        zone,
        renew,
        evict,
        expire,
        threshold,
        ceiling,
        positive(s, "poll-hold"),
        election,
        snapshot,
        snapshotOps,
        positive(s, "shutdown-grace"),
        bool(s, "join"),
        clusterUrl,
        eurekaEnv,
        evictionLogSize,
        adminTokens,
        writeTokens,
        readTokens,
        tlsCert,
        tlsKey,
        tlsCa,
        tlsClientCa);
  }

  /** Whether this node serves HTTPS and speaks TLS to the other nodes. */
  public boolean tls() {
    return tlsCert != null;
  }

  private static Path optionalPath(Map<String, String> s, String key) {
    String v = s.get(key);
    return v.isEmpty() ? null : Path.of(v);
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private static <T> T get(Map<String, String> s, String key, Function<String, T> parser) {
    try {
      return parser.apply(s.get(key));
    } catch (RuntimeException e) {
      throw new ConfigException(
          key
              + ": "
              + (e.getMessage() == null ? "invalid value '" + s.get(key) + "'" : e.getMessage()));
    }
  }

  private static boolean bool(Map<String, String> s, String key) {
    return switch (s.get(key).toLowerCase()) {
      case "true" -> true;
      case "false", "" -> false;
      default ->
          throw new ConfigException(key + ": must be true or false, got '" + s.get(key) + "'");
    };
  }

  private static Duration positive(Map<String, String> s, String key) {
    Duration d = get(s, key, Durations::parse);
    if (d.isZero() || d.isNegative()) {
      throw new ConfigException(key + ": must be positive");
    }
    return d;
  }
}
