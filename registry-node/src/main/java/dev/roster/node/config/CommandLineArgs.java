package dev.roster.node.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The node's command line: {@code -c FILE} plus one flag per setting; flags override the file. */
@Command(
    name = "roster-node",
    mixinStandardHelpOptions = true,
    versionProvider = RosterVersion.class,
    sortOptions = false,
    description =
        "Runs one Roster registry node. With no arguments: a single-node registry on 127.0.0.1:7171.")
public final class CommandLineArgs {
  @Option(
      names = "-c",
      paramLabel = "FILE",
      description = "config file (.yml, .yaml or .properties); flags override it")
  Path configFile;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      description = "HTTP listen address (default 127.0.0.1:7171)")
  String http;

  @Option(
      names = "--advertise",
      paramLabel = "URL",
      description = "HTTP URL other nodes and clients use (default from --http)")
  String advertise;

  @Option(
      names = "--cluster-url",
      paramLabel = "URL",
      description = "HTTP URL the other nodes use to reach this one (default: --advertise)")
  String clusterUrl;

  @Option(
      names = "--raft",
      paramLabel = "HOST:PORT",
      description = "Raft address of this node (default 127.0.0.1:7271)")
  String raft;

  @Option(
      names = "--peers",
      paramLabel = "A,B,C",
      description = "Raft addresses of the initial cluster (default: this node alone)")
  String peers;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "data directory (default ./roster-data)")
  String data;

  @Option(
      names = "--zone",
      paramLabel = "ZONE",
      description = "zone of this node (default 'default')")
  String zone;

  @Option(
      names = "--eureka-env",
      paramLabel = "ENV",
      description = "env of the Eureka API under /eureka/ (default prod)")
  String eurekaEnv;

  @Option(
      names = "--eviction-log-size",
      paramLabel = "N",
      description = "evictions and protection changes the eviction log keeps (default 1000)")
  String evictionLogSize;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description = "tokens for the /cluster/* writes, one per line (default: loopback only)")
  String adminTokenFile;

  @Option(
      names = "--write-token-file",
      paramLabel = "FILE",
      description = "tokens for registry writes, one per line, optionally 'token env1,env2'")
  String writeTokenFile;

  @Option(
      names = "--read-token-file",
      paramLabel = "FILE",
      description = "tokens for reads, one per line (default: reads are open)")
  String readTokenFile;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM certificate (chain) of this node: HTTPS, and TLS between the nodes")
  String tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM (PKCS#8) private key of --tls-cert")
  String tlsKey;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "PEM CA of the cluster: the only signer of node certificates a node accepts")
  String tlsCa;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      description = "PEM CA of HTTP clients: clients must present a certificate it signed")
  String tlsClientCa;

  @Option(
      names = "--renew-interval",
      paramLabel = "D",
      description = "how often clients renew (default 30s)")
  String renewInterval;

  @Option(
      names = "--evict-interval",
      paramLabel = "D",
      description = "eviction check period (default 60s)")
  String evictInterval;

  @Option(
      names = "--expire",
      paramLabel = "D",
      description = "instance expiry without renew (default 90s)")
  String expire;

  @Option(
      names = "--protect-threshold",
      paramLabel = "F",
      description = "self-protection threshold (default 0.85)")
  String protectThreshold;

  @Option(
      names = "--evict-ceiling",
      paramLabel = "D",
      description = "evict even under protection after this long (default 1h)")
  String evictCeiling;

  @Option(
      names = "--poll-hold",
      paramLabel = "D",
      description = "long-poll hold time (default 30s)")
  String pollHold;

  @Option(
      names = "--election-timeout",
      paramLabel = "D",
      description = "Raft election timeout (default 1000ms)")
  String electionTimeout;

  @Option(
      names = "--snapshot-interval",
      paramLabel = "D",
      description = "Raft snapshot period (default 1h)")
  String snapshotInterval;

  @Option(
      names = "--snapshot-ops",
      paramLabel = "N",
      description =
          "also snapshot once this many operations "
              + "(and twice the instance count) were applied since the last snapshot (default 100000)")
  String snapshotOps;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "D",
      description = "longest a graceful shutdown takes (default 5s)")
  String shutdownGrace;

  @Option(
      names = "--join",
      description =
          "start with no configuration and wait to be added by the leader (/cluster/peers/add)")
  boolean join;

  /**
   * Environment variables that set a setting: {@code ROSTER_} + the key in upper case, '-' as '_'.
   */
  public static final String ENV_PREFIX = "ROSTER_";

  /** Parses the arguments, with this process's environment (see {@link #parse(Map, String...)}). */
  public static Map<String, String> parse(String... args) {
    return parse(System.getenv(), args);
  }

  /**
   * Parses the arguments into settings: defaults, then the config file ({@code -c}), then {@code
   * ROSTER_*} environment variables (e.g. {@code ROSTER_PEERS}, {@code ROSTER_RENEW_INTERVAL}),
   * then flags. Returns null when help or the version was printed.
   */
  public static Map<String, String> parse(Map<String, String> env, String... args) {
    CommandLineArgs a = new CommandLineArgs();
    CommandLine cl = new CommandLine(a);
    try {
      cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(e.getMessage());
    }
    if (cl.isUsageHelpRequested()) {
      cl.usage(System.out);
      return null;
    }
    if (cl.isVersionHelpRequested()) {
      cl.printVersionHelp(System.out);
      return null;
    }
    Map<String, String> settings = new LinkedHashMap<>();
    if (a.configFile != null) {
      settings.putAll(ConfigLoader.readFile(a.configFile));
    }
    for (String key : NodeConfig.DEFAULTS.keySet()) {
      String value = env.get(ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (value != null && !value.isBlank()) {
        settings.put(key, value);
      }
    }
    put(settings, "http", a.http);
    put(settings, "advertise", a.advertise);
    put(settings, "cluster-url", a.clusterUrl);
    put(settings, "raft", a.raft);
    put(settings, "peers", a.peers);
    put(settings, "data", a.data);
    put(settings, "zone", a.zone);
    put(settings, "eureka-env", a.eurekaEnv);
    put(settings, "eviction-log-size", a.evictionLogSize);
    put(settings, "admin-token-file", a.adminTokenFile);
    put(settings, "write-token-file", a.writeTokenFile);
    put(settings, "read-token-file", a.readTokenFile);
    put(settings, "tls-cert", a.tlsCert);
    put(settings, "tls-key", a.tlsKey);
    put(settings, "tls-ca", a.tlsCa);
    put(settings, "tls-client-ca", a.tlsClientCa);
    put(settings, "renew-interval", a.renewInterval);
    put(settings, "evict-interval", a.evictInterval);
    put(settings, "expire", a.expire);
    put(settings, "protect-threshold", a.protectThreshold);
    put(settings, "evict-ceiling", a.evictCeiling);
    put(settings, "poll-hold", a.pollHold);
    put(settings, "election-timeout", a.electionTimeout);
    put(settings, "snapshot-interval", a.snapshotInterval);
    put(settings, "snapshot-ops", a.snapshotOps);
    put(settings, "shutdown-grace", a.shutdownGrace);
    if (a.join) {
      settings.put("join", "true");
    }
    return settings;
  }

  private static void put(Map<String, String> settings, String key, String value) {
    if (value != null) {
      settings.put(key, value);
    }
  }
}
