package dev.roster.node.raft;

import java.util.List;

/** A point-in-time view of this node's Raft state, for {@code /cluster/status} and readiness. */
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
    String error) {}
