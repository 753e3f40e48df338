package dev.roster.node.model;

/**
 * Instance status of the discovery protocol. Each has its wire number ({@link #code()}), which the
 * log, the snapshots and the JSON replies carry, and which is also its bit in a fetch's status
 * mask.
 */
public enum Status {
  /** Registered and taking traffic. */
  UP(1),
  /** Registered but not taking traffic (starting, draining). */
  WAITING(2);

  /** Fetch bitmask selecting both. */
  public static final int ANY = 1 | 2;

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The wire number; never renumber. */
  public int code() {
    return code;
  }

  /** True when a fetch with this status bitmask selects instances of this status. */
  public boolean matches(int mask) {
    return (code & mask) != 0;
  }

  /** The status with this wire number; anything else is an {@link IllegalArgumentException}. */
  public static Status ofCode(int code) {
    for (Status s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("status must be 1 (up) or 2 (waiting): " + code);
  }

  public static boolean isValid(int code) {
    return code == UP.code || code == WAITING.code;
  }

  public static boolean isValidMask(int mask) {
    return mask >= 1 && mask <= ANY;
  }
}
