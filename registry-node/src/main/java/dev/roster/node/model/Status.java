package dev.roster.node.model;

/** Instance status codes of the discovery protocol, and the fetch bitmask built from them. */
public final class Status {
  /** Registered and taking traffic. */
  public static final int UP = 1;
  /** Registered but not taking traffic (starting, draining). */
  public static final int WAITING = 2;
  /** Fetch bitmask selecting both. */
  public static final int ANY = UP | WAITING;

  private Status() {}

  public static boolean isValid(int status) {
    return status == UP || status == WAITING;
  }

  public static boolean isValidMask(int mask) {
    return mask >= 1 && mask <= ANY;
  }
}
