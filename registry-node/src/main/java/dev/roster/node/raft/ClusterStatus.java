package dev.roster.node.raft;

import java.util.List;
import java.util.Map;

/**
 * A point-in-time view of this node's Raft state, for {@code /cluster/status} and readiness; on the
 * leader, {@code lastContactMs} says how long ago each follower last answered it.
 */
public record ClusterStatus(
    String id,
    String role,
    long term,
    String leader,
    long lastLogIndex,
    long committedIndex,
    long appliedIndex,
    List<String> peers,
    List<String> learners,
    String error,
    Map<String, Long> lastContactMs) {
  public ClusterStatus {
    lastContactMs = Map.copyOf(lastContactMs);
  }
}
