package dev.roster.node.raft;

/** This node cannot take the write; {@link #leader()} is where to send it, if known. */
public class NotLeaderException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient NodeId leader;

  public NotLeaderException(NodeId leader, String message) {
    super(message);
    this.leader = leader;
  }

  public NodeId leader() {
    return leader;
  }
}
