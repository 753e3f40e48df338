package dev.roster.node.raft;

/** Leadership changes of this node, as the state machine learns them. */
public interface LeadershipListener {
  void onLeaderStart(long term);

  void onLeaderStop();
}
