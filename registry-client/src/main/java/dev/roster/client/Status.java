package dev.roster.client;

/** The status of an instance: whether it takes traffic. */
public enum Status {
  /** Registered and taking traffic (wire value 1). */
  UP(1),
  /** Registered but not taking traffic, e.g. starting or draining (wire value 2). */
  WAITING(2);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The value of the status on the wire. */
  public int code() {
    return code;
  }

  /** The status with this wire value. */
  public static Status of(int code) {
    for (Status s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown instance status " + code + " (1 = up, 2 = waiting)");
  }
}
