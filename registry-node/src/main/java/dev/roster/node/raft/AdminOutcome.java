package dev.roster.node.raft;

/**
 * What an administrative request that JRaft answers at once (reset peers, transfer leadership) came
 * to: done, or refused with JRaft's reason; {@code busy} when another change is in progress and the
 * request is worth retrying.
 */
public record AdminOutcome(boolean ok, boolean busy, String message) {
  static final AdminOutcome OK = new AdminOutcome(true, false, "");
}
