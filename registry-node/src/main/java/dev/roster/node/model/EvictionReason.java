package dev.roster.node.model;

/** Why the leader evicted an instance, as the eviction log records it. Never renumber. */
public enum EvictionReason {
  /** Written by a version before the eviction log: the log entry does not say. */
  UNRECORDED(0, "unrecorded"),
  /** Not renewed within its lease, self-protection off. */
  EXPIRED(1, "expired"),
  /**
   * Self-protection on, but silent for longer than the eviction ceiling: protection never keeps an
   * instance longer than that.
   */
  PAST_CEILING(2, "past_ceiling");

  public final byte tag;
  public final String wireName;

  EvictionReason(int tag, String wireName) {
    this.tag = (byte) tag;
    this.wireName = wireName;
  }

  /** The reason of {@code tag}, or null if there is none. */
  public static EvictionReason ofTag(int tag) {
    for (EvictionReason r : values()) {
      if (r.tag == tag) {
        return r;
      }
    }
    return null;
  }
}
