package dev.roster.node.raft;

import java.util.Set;

/**
 * The leader's view of the group: the Raft endpoints ({@code host:port}) of every member and
 * learner, and of those that answered it within the leader lease.
 */
public record Membership(Set<String> members, Set<String> alive) {
  public Membership {
    members = Set.copyOf(members);
    alive = Set.copyOf(alive);
  }
}
