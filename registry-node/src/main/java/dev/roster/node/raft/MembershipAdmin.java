package dev.roster.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.error.RaftError;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' requests to JRaft: membership changes and resets, leadership transfer, snapshots on
 * demand, and the leader's view of which members answer.
 */
final class MembershipAdmin implements Admin {
  // the facade's logger: these lines read as they did before the roles were split out of it
  private static final Logger log = LoggerFactory.getLogger(RaftRegistry.class);

  private final RaftNode raft;
  private final Leadership leadership;
  private final NodeStatus status;
  private final SnapshotPolicy snapshots;

  MembershipAdmin(
      RaftNode raft, Leadership leadership, NodeStatus status, SnapshotPolicy snapshots) {
    this.raft = raft;
    this.leadership = leadership;
    this.status = status;
    this.snapshots = snapshots;
  }

  @Override
  public CompletableFuture<Void> addPeer(NodeId peer, long timeoutMs) {
    PeerId p = peer.toPeer();
    return membershipChange("add " + p, (n, done) -> n.addPeer(p, done), timeoutMs);
  }

  @Override
  public CompletableFuture<Void> removePeer(NodeId peer, long timeoutMs) {
    PeerId p = peer.toPeer();
    return membershipChange("remove " + p, (n, done) -> n.removePeer(p, done), timeoutMs);
  }

  private CompletableFuture<Void> membershipChange(
      String what, BiConsumer<Node, Closure> change, long timeoutMs) {
    Node n = raft.node();
    if (n == null || !n.isLeader()) {
      return CompletableFuture.failedFuture(
          new NotLeaderException(leadership.leader().orElse(null), "not the leader"));
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    Closure onDone =
        status -> {
          if (status.isOk()) {
            log.info("membership change committed: {}", what);
            f.complete(null);
          } else if (status.getRaftError() == RaftError.EPERM) {
            f.completeExceptionally(new NotLeaderException(null, status.getErrorMsg()));
          } else {
            f.completeExceptionally(
                new MembershipException(what + " failed: " + status.getErrorMsg()));
          }
        };
    try {
      change.accept(n, onDone);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // JRaft refuses some changes synchronously (e.g. removing a peer that is not a member)
      f.completeExceptionally(new MembershipException(what + " refused: " + e.getMessage()));
    }
    return RaftFutures.within(f, timeoutMs);
  }

  @Override
  public AdminOutcome resetPeers(List<NodeId> peers) {
    Node n = raft.node();
    if (n == null) {
      return outcome(new Status(RaftError.EINVAL, "node not started"));
    }
    Configuration conf = new Configuration();
    List<PeerId> members = peers.stream().map(NodeId::toPeer).toList();
    members.forEach(conf::addPeer);
    log.warn("membership forcibly reset to {} by an operator", members);
    return outcome(n.resetPeers(conf));
  }

  @Override
  public AdminOutcome transferLeadership(NodeId peer) {
    Node n = raft.node();
    if (n == null || !n.isLeader()) {
      return outcome(new Status(RaftError.EPERM, "not the leader"));
    }
    return outcome(n.transferLeadershipTo(peer == null ? PeerId.ANY_PEER : peer.toPeer()));
  }

  private static AdminOutcome outcome(Status s) {
    return s.isOk()
        ? AdminOutcome.OK
        : new AdminOutcome(false, s.getRaftError() == RaftError.EBUSY, s.getErrorMsg());
  }

  @Override
  public boolean anotherMemberMayBeUp() {
    PeerId self = raft.self();
    return status.current().peers().stream()
        .map(p -> NodeId.parse(p).toPeer())
        .anyMatch(p -> !p.equals(self) && !CrashDetector.refusesConnections(p));
  }

  @Override
  public Optional<Membership> membership() {
    Node n = raft.node();
    if (n == null || !n.isLeader()) {
      return Optional.empty();
    }
    try {
      Set<String> alive = new HashSet<>();
      Set<String> all = new HashSet<>();
      n.listAlivePeers().forEach(p -> alive.add(p.getEndpoint().toString()));
      n.listAliveLearners().forEach(p -> alive.add(p.getEndpoint().toString()));
      n.listPeers().forEach(p -> all.add(p.getEndpoint().toString()));
      n.listLearners().forEach(p -> all.add(p.getEndpoint().toString()));
      return Optional.of(new Membership(all, alive));
    } catch (IllegalStateException stepped) {
      return Optional.empty(); // JRaft refuses these once it no longer leads
    }
  }

  @Override
  public CompletableFuture<Void> snapshot() {
    return snapshots.snapshot();
  }

  @Override
  public Path snapshotDirectory() {
    return snapshots.directory();
  }
}
