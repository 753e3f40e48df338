package dev.roster.client;

/** The application asked for does not exist in this environment (-404). */
public class RosterNotFoundException extends RosterException {
  private static final long serialVersionUID = 1L;

  public RosterNotFoundException(String message) {
    super(-404, message, null);
  }
}
