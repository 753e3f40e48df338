package dev.roster.node.raft;

/**
 * A membership change JRaft refused or could not complete (unknown peer, change in progress...).
 */
public class MembershipException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MembershipException(String message) {
    super(message);
  }
}
