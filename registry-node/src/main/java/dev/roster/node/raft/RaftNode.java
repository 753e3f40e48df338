package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.NodeManager;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import java.io.File;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JRaft node's lifecycle: builds its options from the settings, starts it (cleaning up after a
 * failed start), stops it, and hands the running node to the other roles.
 */
final class RaftNode {
  // the facade's logger: this line reads as it did before the roles were split out of it
  private static final Logger log = LoggerFactory.getLogger(RaftRegistry.class);

  private final RaftSettings settings;
  private final RegistryStateMachine fsm;
  private final RaftStorage storage;
  private final PeerId self;
  private RaftGroupService group;
  private volatile Node node;

  RaftNode(RaftSettings settings, RegistryStateMachine fsm, RaftStorage storage) {
    this.settings = settings;
    this.fsm = fsm;
    this.storage = storage;
    this.self = NodeId.parse(settings.self()).toPeer();
  }

  void start() {
    File dir = settings.dataDir().toFile();
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new IllegalStateException("cannot create data directory " + dir);
    }
    // a joining node starts with no configuration and waits for the leader to add it
    Configuration conf = new Configuration();
    if (!settings.join()) {
      settings.peers().forEach(p -> conf.addPeer(NodeId.parse(p).toPeer()));
    }
    NodeOptions options = options(conf, dir);
    RaftTls tls = settings.tls();
    group =
        tls == null
            ? new RaftGroupService(settings.groupId(), self, options)
            : new RaftGroupService(
                settings.groupId(),
                self,
                options,
                BoltTls.server(self.getEndpoint(), tls, options));
    try {
      node = group.start();
    } catch (RuntimeException e) {
      cleanUpFailedStart();
      throw e;
    }
    if (node == null) {
      cleanUpFailedStart();
      throw new IllegalStateException(
          "Raft node did not start (is "
              + settings.self()
              + " free, is "
              + settings.dataDir()
              + " used by another node?)");
    }
  }

  private NodeOptions options(Configuration conf, File dir) {
    // with TLS, the options carry it to the RPC client JRaft builds from them (see BoltTls)
    NodeOptions options =
        settings.tls() == null ? new NodeOptions() : new BoltTls.TlsNodeOptions(settings.tls());
    options.setFsm(fsm);
    options.setServiceFactory(storage.services());
    options.setInitialConf(conf);
    options.setElectionTimeoutMs(settings.electionTimeoutMs());
    // JRaft pings a peer it has no connection to before a vote request, holding the node's lock:
    // an address that never answers (a dead container, a black-holed host) must not stall the
    // election for the 1 s default
    options.setRpcConnectTimeoutMs(Math.max(100, Math.min(1000, settings.electionTimeoutMs() / 5)));
    options.setSnapshotIntervalSecs(settings.snapshotIntervalSecs());
    options.setLogUri(new File(dir, "log").getPath());
    options.setRaftMetaUri(new File(dir, "meta").getPath());
    options.setSnapshotUri(new File(dir, "snapshot").getPath());
    // Several nodes in one JVM (tests) share timers instead of each starting its own pools.
    options.setSharedElectionTimer(true);
    options.setSharedVoteTimer(true);
    options.setSharedStepDownTimer(true);
    options.setSharedSnapshotTimer(true);
    options.setSharedTimerPool(true);
    RaftOptions raftOptions = new RaftOptions();
    raftOptions.setSync(true);
    // JRaft adds up to 1 s of random delay to every election timeout; half the timeout is
    // enough to break split votes on a LAN and keeps failover (timeout + delay) short
    raftOptions.setMaxElectionDelayMs(electionDelayMs(settings.electionTimeoutMs()));
    // RocksDB statistics (JRaft turns them on by default) cost CPU on every log write and are
    // read only by JRaft's SIGUSR2 dump; Roster exports its own metrics
    raftOptions.setOpenStatistics(false);
    options.setRaftOptions(raftOptions);
    return options;
  }

  /** The random delay JRaft adds to every election timeout: half the timeout (see start). */
  static int electionDelayMs(int electionTimeoutMs) {
    return Math.max(100, electionTimeoutMs / 2);
  }

  /** RaftGroupService leaks a half-started node when start fails (port taken): release it. */
  private void cleanUpFailedStart() {
    Node leaked = group.getRaftNode();
    if (leaked != null) {
      leaked.shutdown();
      try {
        leaked.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      NodeManager.getInstance().remove(leaked);
    }
    group.shutdown();
  }

  /**
   * Changes the election timeout of this node and the random delay JRaft adds to it (liveness only;
   * see {@link CrashDetector}). The delay is read each time the election timer is armed, and the
   * reset arms it, so both apply from the next timeout on.
   */
  void resetElectionTimeout(int timeoutMs, int maxDelayMs) {
    Node n = node;
    if (n != null && n.getOptions().getElectionTimeoutMs() != timeoutMs) {
      n.getOptions().getRaftOptions().setMaxElectionDelayMs(maxDelayMs);
      n.resetElectionTimeoutMs(timeoutMs);
    }
  }

  /** The running JRaft node, or null before start and after close. */
  Node node() {
    return node;
  }

  PeerId self() {
    return self;
  }

  boolean isLeader() {
    Node n = node;
    return n != null && n.isLeader();
  }

  /** The leader JRaft reports, dead or alive. */
  Optional<PeerId> raftLeader() {
    Node n = node;
    PeerId leader = n == null ? null : n.getLeaderId();
    return leader == null || leader.isEmpty() ? Optional.empty() : Optional.of(leader);
  }

  void close() {
    if (group != null) {
      group.shutdown();
      try {
        group.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      group = null;
    }
    node = null;
    log.debug("raft node {} stopped", self);
  }
}
