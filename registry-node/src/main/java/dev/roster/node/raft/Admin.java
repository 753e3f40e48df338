package dev.roster.node.raft;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The administrative side of {@link RaftRegistry}: membership, leadership, snapshots. */
public interface Admin {
  /** Adds a voting member; completes when the configuration change is committed. */
  CompletableFuture<Void> addPeer(NodeId peer, long timeoutMs);

  /** Removes a member; completes when the configuration change is committed. */
  CompletableFuture<Void> removePeer(NodeId peer, long timeoutMs);

  /** Forces this node's membership (majority lost for good); see the operations guide. */
  AdminOutcome resetPeers(List<NodeId> peers);

  /** Hands leadership to {@code peer} (or any follower when null). */
  AdminOutcome transferLeadership(NodeId peer);

  /**
   * True when some other member's Raft port does not refuse connections, so it may be running and
   * could take over; false when every other member's process is known to be gone.
   */
  boolean anotherMemberMayBeUp();

  /**
   * On the leader, the Raft endpoints ({@code host:port}) of the members and learners that answered
   * it within the leader lease (90 % of an election timeout), itself included, and of every member
   * and learner; empty when this node does not lead.
   */
  Optional<Membership> membership();

  /** Asks JRaft for a snapshot now (tests, operators); completes when it is written. */
  CompletableFuture<Void> snapshot();

  /** Where JRaft keeps this node's snapshots ({@code snapshot_<index>} directories). */
  Path snapshotDirectory();
}
