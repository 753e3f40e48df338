package dev.roster.node.raft;

/** No leader, no quorum, queue full or shutting down: the caller should retry, maybe elsewhere. */
public class UnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }
}
