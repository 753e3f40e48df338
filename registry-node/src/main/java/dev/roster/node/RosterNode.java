package dev.roster.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.cluster.NodeAnnouncer;
import dev.roster.node.cluster.NodeLiveness;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.cluster.PeerLink;
import dev.roster.node.config.CommandLineArgs;
import dev.roster.node.config.ConfigException;
import dev.roster.node.config.HostPort;
import dev.roster.node.config.NodeConfig;
import dev.roster.node.config.RosterVersion;
import dev.roster.node.http.AccessControl;
import dev.roster.node.http.Api;
import dev.roster.node.http.HttpServer;
import dev.roster.node.http.PollHub;
import dev.roster.node.lease.EvictionPolicy;
import dev.roster.node.lease.Evictor;
import dev.roster.node.metrics.Metrics;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.RegistryView;
import dev.roster.node.model.Status;
import dev.roster.node.raft.AdminOutcome;
import dev.roster.node.raft.LeaderClock;
import dev.roster.node.raft.NodeId;
import dev.roster.node.raft.RaftRegistry;
import dev.roster.node.raft.RaftSettings;
import dev.roster.node.raft.RaftStorage;
import dev.roster.node.raft.RaftTls;
import dev.roster.node.raft.RegistryStateMachine;
import dev.roster.node.tls.NodeTls;
import dev.roster.node.tls.TlsException;
import dev.roster.node.tls.TlsFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.security.Security;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Roster node: Raft, the replicated registry, its HTTP API, and their lifecycle. */
public final class RosterNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RosterNode.class);
  public static final String RAFT_GROUP = "roster";
  private static final Duration MAX_ANNOUNCE_INTERVAL = Duration.ofSeconds(5);

  private final NodeConfig config;
  private final RegistryStateMachine fsm;
  private final RaftRegistry raft;
  private final PeerDirectory directory;
  private final NodeAnnouncer announcer;
  private final NodeLiveness liveness;
  private final HttpServer http;
  private final AccessControl access;
  private final NodeTls tls;
  private final PollHub polls;
  private final Evictor evictor;
  private final Metrics metrics;
  private InetSocketAddress httpAddress;
  private volatile boolean closed;

  public RosterNode(NodeConfig config) {
    this(config, RaftStorage.standard());
  }

  /** A node whose Raft log and metadata are kept by {@code raftStorage} (tests: a slow disk). */
  public RosterNode(NodeConfig config, RaftStorage raftStorage) {
    this.config = config;
    // the nodes' own entries renew every few seconds: self-protection must not count them
    this.access = access(config);
    this.tls = tls(config);
    PeerLink peers = new PeerLink(tls, access::nodeToken);
    this.fsm =
        new RegistryStateMachine(
            GuardPolicy.of(
                config.evictInterval().toMillis(),
                config.renewInterval().toMillis(),
                config.protectThreshold()),
            key ->
                !(key.appid().equals(PeerDirectory.APPID) && key.env().equals(PeerDirectory.ENV)));
    this.raft =
        new RaftRegistry(
            new RaftSettings(
                RAFT_GROUP,
                config.raft().toString(),
                config.peers().stream().map(HostPort::toString).toList(),
                config.dataDir(),
                (int) config.electionTimeout().toMillis(),
                (int) Math.max(1, config.snapshotInterval().toSeconds()),
                config.snapshotOps(),
                config.join(),
                tls == null ? null : new RaftTls(tls.raftKeyStore(), tls.raftKeyStorePassword())),
            fsm,
            raftStorage,
            LeaderClock.system());
    // Nodes announce themselves more often than clients renew, so /discovery/nodes notices a lost
    // node within seconds; each announcement is one small Raft entry.
    Duration announceInterval =
        config.renewInterval().compareTo(MAX_ANNOUNCE_INTERVAL) < 0
            ? config.renewInterval()
            : MAX_ANNOUNCE_INTERVAL;
    this.directory =
        new PeerDirectory(
            raft,
            announceInterval.multipliedBy(3).toNanos(),
            config.clusterUrl(),
            config.advertise());
    long writeTimeoutMs = config.electionTimeout().toMillis() + 1000;
    this.announcer =
        new NodeAnnouncer(
            raft,
            directory,
            new InstanceSpec(
                config.zone(),
                PeerDirectory.ENV,
                PeerDirectory.APPID,
                config.raft().toString(),
                List.of(config.advertise()),
                version(),
                Status.UP,
                config.clusterUrl().equals(config.advertise())
                    ? Map.of()
                    : Map.of(PeerDirectory.CLUSTER_URL, config.clusterUrl())),
            announceInterval,
            writeTimeoutMs,
            peers);
    fsm.addLeadershipListener(announcer);
    this.liveness = new NodeLiveness(raft, config.electionTimeout(), writeTimeoutMs);
    fsm.addLeadershipListener(liveness);
    this.evictor =
        new Evictor(
            raft,
            new EvictionPolicy(
                config.evictInterval(),
                config.expire(),
                config.evictCeiling(),
                EvictionPolicy.DEFAULT_CAP),
            writeTimeoutMs,
            config.evictionLogSize());
    fsm.addLeadershipListener(evictor);
    this.polls = new PollHub();
    fsm.addApplyListener(polls);
    this.metrics = nodeMetrics(fsm, raft, polls);
    ObjectMapper json = Api.json();
    this.http =
        new HttpServer(
            Api.router(
                raft,
                directory,
                polls,
                config.advertise(),
                config.electionTimeout().toMillis(),
                config.pollHold().toMillis(),
                metrics,
                json,
                new Api.EurekaSettings(
                    config.eurekaEnv(),
                    config.zone(),
                    config.renewInterval().toMillis(),
                    config.expire().toMillis()),
                new Api.LeaseSettings(
                    config.renewInterval().toMillis(),
                    config.evictInterval().toMillis(),
                    config.expire().toMillis(),
                    config.evictCeiling().toMillis()),
                peers),
            json,
            metrics,
            access,
            tls);
  }

  private static Map<String, Long> evictionsByReason(RegistryView r) {
    Map<String, Long> totals = new LinkedHashMap<>();
    for (EvictionReason reason : EvictionReason.values()) {
      totals.put(reason.wireName, r.evictionLog().total(reason));
    }
    return totals;
  }

  private static Metrics nodeMetrics(RegistryStateMachine fsm, RaftRegistry raft, PollHub polls) {
    return new Metrics()
        .gauge("roster_instances", "Registered instances.", () -> fsm.read(r -> r.instanceCount()))
        .gauge(
            "roster_applications",
            "Registered applications.",
            () -> fsm.read(r -> r.applicationCount()))
        .gauge("roster_parked_polls", "Long polls waiting on this node.", polls::parked)
        .gauge(
            "roster_self_protection",
            "1 while eviction is suppressed by self-protection.",
            () -> fsm.read(r -> r.protecting() ? 1 : 0))
        .gauge(
            "roster_renews_last_window",
            "Renews counted in the last closed check window.",
            () -> fsm.read(r -> r.guard().renewsLastWindow()))
        .gauge(
            "roster_expected_renews",
            "Renews expected per check window.",
            () -> fsm.read(r -> r.expectedRenews()))
        .counter(
            "roster_evictions_total",
            "Instances removed by eviction, by reason (the replicated eviction log's totals).",
            "reason",
            () -> fsm.read(RosterNode::evictionsByReason))
        .gauge("roster_raft_term", "Current Raft term seen by this node.", fsm::term)
        .gauge(
            "roster_raft_is_leader",
            "1 if this node is the leader.",
            () -> raft.leadership().isLeader() ? 1 : 0)
        .gauge(
            "roster_raft_applied_index",
            "Last log index applied to the registry.",
            fsm::appliedIndex)
        .gauge(
            "roster_raft_committed_index",
            "Last log index known committed.",
            () -> raft.status().committedIndex())
        .counter(
            "roster_raft_leader_changes_total",
            "Leader changes seen by this node.",
            fsm::leaderChanges);
  }

  private static String version() {
    String v = RosterNode.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public RosterNode start() {
    raft.start();
    try {
      httpAddress = http.start(config.http().host(), config.http().port());
    } catch (RuntimeException e) {
      raft.close();
      throw e;
    }
    announcer.start();
    if (config.http().host().equals("0.0.0.0")
        && config.advertise().startsWith("http://127.0.0.1:")
        && config.clusterUrl().equals(config.advertise())) {
      log.warn(
          "listening on all interfaces but advertising {}: set --advertise to an address clients "
              + "and other nodes can reach (and --cluster-url for the nodes' own network), or redirects to "
              + "this node will point at their own loopback",
          config.advertise());
    }
    log.info(
        "roster-node {} listening on {}://{}:{} (raft {}{}, {}, data {})",
        RosterVersion.get(),
        tls == null ? "http" : "https",
        httpAddress.getHostString(),
        httpAddress.getPort(),
        config.raft(),
        tls == null ? "" : " over mutual TLS",
        config.join() ? "joining: waiting to be added by the leader" : "peers " + config.peers(),
        config.dataDir());
    return this;
  }

  public NodeConfig config() {
    return config;
  }

  public RaftRegistry raft() {
    return raft;
  }

  public InetSocketAddress httpAddress() {
    return httpAddress;
  }

  /** The base URL of this node's HTTP API, as bound (e.g. {@code http://127.0.0.1:7171}). */
  public String url() {
    return (tls == null ? "http://" : "https://")
        + httpAddress.getHostString()
        + ":"
        + httpAddress.getPort();
  }

  public Evictor evictor() {
    return evictor;
  }

  public PollHub polls() {
    return polls;
  }

  /** Graceful stop within the configured grace (see {@link #close(Duration)}). */
  @Override
  public void close() {
    close(config.shutdownGrace());
  }

  /**
   * Stops taking requests (-503), hands leadership to a follower if this node leads, answers parked
   * polls, lets requests in flight finish, then stops Raft — all within {@code grace}.
   */
  public synchronized void close(Duration grace) {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + grace.toNanos();
    http.stopAccepting();
    evictor.close();
    announcer.close();
    liveness.close();
    if (!grace.isZero() && raft.leadership().isLeader() && raft.status().peers().size() > 1) {
      if (raft.admin().anotherMemberMayBeUp()) {
        transferLeadershipBefore(System.nanoTime() + grace.toNanos() / 2);
      } else {
        // the whole cluster is being stopped: nobody can take over, do not wait for it
        log.info("no other member is running: stopping without handing over leadership");
      }
    }
    polls.close();
    try {
      if (!grace.isZero() && !http.awaitIdle(deadline)) {
        log.warn(
            "{} requests still in flight after the shutdown grace of {}", http.inFlight(), grace);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
    raft.close();
    if (tls != null) {
      tls.close();
    }
    log.info("stopped");
  }

  private void transferLeadershipBefore(long deadlineNanos) {
    AdminOutcome s = raft.admin().transferLeadership(null);
    if (!s.ok()) {
      log.info("could not hand over leadership before stopping: {}", s.message());
      return;
    }
    long waitMs = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
    Optional<NodeId> next = raft.leadership().awaitLeaderOtherThan(raft.self(), waitMs).join();
    if (next.isPresent()) {
      log.info("handed leadership over to {}", next.get());
    } else {
      log.info("leadership not handed over within the grace period");
    }
  }

  /**
   * Peers are often named (compose services, Kubernetes pods) and their addresses move: a killed
   * container's name stops resolving, a restarted one gets a new address. The JVM caches a name for
   * 30 s and an unknown name for 10 s, so a node kept connecting to a dead address (a connect that
   * hangs: no RST, no ARP answer) and elections stalled for seconds. One second, unless the
   * operator chose otherwise ({@code -Dsun.net.inetaddr.ttl} or the java.security file).
   */
  private static void followNameChanges() {
    if (System.getProperty("sun.net.inetaddr.ttl") == null
        && "30".equals(ttlOrDefault("networkaddress.cache.ttl", "30"))) {
      Security.setProperty("networkaddress.cache.ttl", "1");
    }
    if (System.getProperty("sun.net.inetaddr.negative.ttl") == null
        && "10".equals(ttlOrDefault("networkaddress.cache.negative.ttl", "10"))) {
      Security.setProperty("networkaddress.cache.negative.ttl", "1");
    }
  }

  private static String ttlOrDefault(String property, String jdkDefault) {
    String v = Security.getProperty(property);
    return v == null ? jdkDefault : v.trim();
  }

  private static AccessControl access(NodeConfig config) {
    try {
      return AccessControl.fromFiles(
          config.adminTokenFile(),
          config.writeTokenFile(),
          config.readTokenFile(),
          config.eurekaEnv());
    } catch (IOException e) {
      throw new ConfigException("cannot read a token file: " + e);
    }
  }

  /** The node's TLS, or null; the Raft key store is kept in the data directory. */
  private static NodeTls tls(NodeConfig config) {
    if (!config.tls()) {
      return null;
    }
    try {
      NodeTls tls =
          NodeTls.start(
              new TlsFiles(config.tlsCert(), config.tlsKey(), config.tlsCa(), config.tlsClientCa()),
              config.dataDir().resolve("tls").resolve("raft-keystore.p12"));
      log.info(
          "TLS on: HTTPS{} and mutual TLS between the nodes, presenting {}",
          tls.clientCertificatesRequired() ? " with client certificates required" : "",
          tls.describe());
      return tls;
    } catch (TlsException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  public static void main(String[] args) {
    // sofa-common-tools' Logback integration breaks on Logback 1.5; Roster configures Logback
    // itself.
    System.setProperty("logback.middleware.log.disable", "true");
    followNameChanges();
    NodeConfig config;
    try {
      Map<String, String> settings = CommandLineArgs.parse(args);
      if (settings == null) {
        return;
      }
      config = NodeConfig.fromSettings(settings);
    } catch (ConfigException e) {
      System.err.println("roster-node: " + e.getMessage());
      System.err.println("Try 'java -jar roster-node.jar --help'.");
      System.exit(2);
      return;
    }
    RosterNode node;
    try {
      node = new RosterNode(config);
    } catch (ConfigException e) {
      System.err.println("roster-node: " + e.getMessage());
      System.exit(2);
      return;
    }
    // sofa-common-tools (under JRaft's RPC layer) prints banner lines straight to System.out while
    // it initialises; Roster logs to stderr, so stdout is muted for the start only.
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      node.start();
    } catch (RuntimeException e) {
      System.setOut(stdout);
      LoggerFactory.getLogger(RosterNode.class).error("cannot start: {}", e.getMessage(), e);
      node.close();
      System.exit(1);
      return;
    } finally {
      System.setOut(stdout);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  node.close();
                  stopped.countDown();
                },
                "roster-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
