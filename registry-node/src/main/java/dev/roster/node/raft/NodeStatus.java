package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.PeerId;
import java.util.List;
import java.util.Map;

/** This node's Raft status for {@code /cluster/status}, and whether it is ready to serve. */
final class NodeStatus {
  private final RaftNode raft;
  private final RegistryStateMachine fsm;
  private final RaftSettings settings;
  private final Leadership leadership;
  private final StartupCatchUp catchUp;

  NodeStatus(
      RaftNode raft,
      RegistryStateMachine fsm,
      RaftSettings settings,
      Leadership leadership,
      StartupCatchUp catchUp) {
    this.raft = raft;
    this.fsm = fsm;
    this.settings = settings;
    this.leadership = leadership;
    this.catchUp = catchUp;
  }

  /**
   * True when a leader is known, this node has caught up since it started, and it has applied
   * everything it knows is committed.
   */
  boolean isReady() {
    Node n = raft.node();
    return n != null
        && fsm.error() == null
        && catchUp.caughtUp()
        && leadership.leader().isPresent()
        && n.getLastAppliedLogIndex() >= n.getLastCommittedIndex();
  }

  ClusterStatus current() {
    Node n = raft.node();
    String self = raft.self().toString();
    if (n == null) {
      return new ClusterStatus(
          self,
          "stopped",
          fsm.term(),
          null,
          0,
          0,
          0,
          settings.peers(),
          List.of(),
          fsm.error(),
          Map.of());
    }
    State state = n.getNodeState();
    if (!state.isActive()) {
      // JRaft refuses index queries once it stopped (error state after a storage failure, or
      // shutting down): report what the state machine applied, and the error
      long applied = fsm.appliedIndex();
      return new ClusterStatus(
          self,
          role(state),
          fsm.term(),
          null,
          applied,
          applied,
          applied,
          knownPeers(),
          fsm.learners(),
          fsm.error(),
          Map.of());
    }
    return new ClusterStatus(
        self,
        role(state),
        fsm.term(),
        leadership.leader().map(NodeId::toString).orElse(null),
        n.getLastLogIndex(),
        n.getLastCommittedIndex(),
        n.getLastAppliedLogIndex(),
        // only a leader may list the members; others know the last committed configuration
        n.isLeader() ? n.listPeers().stream().map(PeerId::toString).toList() : knownPeers(),
        n.isLeader() ? n.listLearners().stream().map(PeerId::toString).toList() : fsm.learners(),
        fsm.error(),
        ReplicationProgress.lastContactMs(n));
  }

  private List<String> knownPeers() {
    return fsm.peers().isEmpty() ? settings.peers() : fsm.peers();
  }

  private static String role(State state) {
    return switch (state) {
      case STATE_LEADER, STATE_TRANSFERRING -> "leader";
      case STATE_FOLLOWER -> "follower";
      case STATE_CANDIDATE -> "candidate";
      case STATE_ERROR -> "error";
      default -> "stopped";
    };
  }
}
