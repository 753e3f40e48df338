package dev.roster.client;

/**
 * No node completed the operation before the client's deadline: nodes unreachable, no leader
 * (-503), timeouts, or a leader that kept moving. The message names the last problem seen.
 */
public class RosterUnavailableException extends RosterException {
  private static final long serialVersionUID = 1L;

  public RosterUnavailableException(String message, Throwable cause) {
    super(-503, message, cause);
  }
}
