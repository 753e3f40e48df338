package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When this node takes snapshots beyond JRaft's interval: on request, and by work.
 *
 * <p>A restart replays every operation applied since the last snapshot: after an hour (the default
 * snapshot interval) of 1 000 000 instances renewing every 30 s that is 120 million renews, minutes
 * of replay. A snapshot costs about as much as loading it, in proportion to the instances. So once
 * the operations since the last snapshot exceed 2–3 times the instances (and the {@code
 * snapshot-ops} setting, 100 000 by default), the node takes one: replay stays within a few
 * seconds, and a registry renewing at 33 000/s writes its snapshot about once a minute. Each node
 * decides for itself (snapshots are local); the interval still applies to a quiet registry.
 */
final class SnapshotPolicy {
  // the facade's logger: these lines read as they did before the roles were split out of it
  private static final Logger log = LoggerFactory.getLogger(RaftRegistry.class);

  private final RaftNode raft;
  private final RegistryStateMachine fsm;
  private final RaftSettings settings;

  /**
   * Operations per registered instance since the last snapshot beyond which a node takes one: drawn
   * anew after each snapshot between 2 and 3, so that the nodes, which apply the same operations,
   * do not all snapshot at the same moment (a commit needs the leader and one follower that are not
   * both busy writing a snapshot).
   */
  private volatile double opsPerInstance = nextOpsPerInstance();

  private volatile boolean opsSnapshotRunning;

  SnapshotPolicy(RaftNode raft, RegistryStateMachine fsm, RaftSettings settings) {
    this.raft = raft;
    this.fsm = fsm;
    this.settings = settings;
  }

  private static double nextOpsPerInstance() {
    return 2 + ThreadLocalRandom.current().nextDouble();
  }

  /** The periodic check, every second: a snapshot once the replay since the last one grew. */
  void snapshotIfReplayGrew() {
    Node n = raft.node();
    long ops = fsm.opsSinceSnapshot();
    if (n == null || opsSnapshotRunning || ops < settings.snapshotOps()) {
      return;
    }
    long instances = fsm.read(r -> r.instanceCount());
    if (ops < opsPerInstance * instances) {
      return;
    }
    opsSnapshotRunning = true;
    log.debug("snapshot: {} operations applied since the last one, {} instances", ops, instances);
    snapshot()
        .whenComplete(
            (v, e) -> {
              opsPerInstance = nextOpsPerInstance();
              opsSnapshotRunning = false;
              if (e != null) {
                log.debug("snapshot after {} operations not taken: {}", ops, e.getMessage());
              }
            });
  }

  /** Asks JRaft for a snapshot now; completes when it is written. */
  CompletableFuture<Void> snapshot() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Node n = raft.node();
    if (n == null) {
      return CompletableFuture.failedFuture(new UnavailableException("node not started"));
    }
    n.snapshot(
        status -> {
          if (status.isOk()) {
            f.complete(null);
          } else {
            f.completeExceptionally(
                new UnavailableException("snapshot failed: " + status.getErrorMsg()));
          }
        });
    return f;
  }

  /** Where JRaft keeps this node's snapshots ({@code snapshot_<index>} directories). */
  Path directory() {
    return settings.dataDir().resolve("snapshot");
  }
}
