package dev.roster.node.raft;

import com.alipay.sofa.jraft.entity.PeerId;

/** This node cannot take the write; {@link #leader()} is where to send it, if known. */
public class NotLeaderException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient PeerId leader;

  public NotLeaderException(PeerId leader, String message) {
    super(message);
    this.leader = leader;
  }

  public PeerId leader() {
    return leader;
  }
}
