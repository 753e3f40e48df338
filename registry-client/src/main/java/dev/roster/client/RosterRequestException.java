package dev.roster.client;

/**
 * The registry refused the request itself (-400 bad parameter, -405, -413): retrying cannot help.
 * The message is the registry's, naming the offending parameter.
 */
public class RosterRequestException extends RosterException {
  private static final long serialVersionUID = 1L;

  public RosterRequestException(int code, String message) {
    super(code, message, null);
  }
}
