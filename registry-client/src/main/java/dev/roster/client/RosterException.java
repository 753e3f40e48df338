package dev.roster.client;

/**
 * A registry operation failed. Subclasses say why; redirects and transient failures of single nodes
 * are never reported, only the outcome after retrying within the client's deadline.
 */
public class RosterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;

  public RosterException(String message, Throwable cause) {
    this(0, message, cause);
  }

  public RosterException(int code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The registry's envelope code (e.g. -404, -400), or 0 when the registry gave no answer. */
  public int code() {
    return code;
  }
}
