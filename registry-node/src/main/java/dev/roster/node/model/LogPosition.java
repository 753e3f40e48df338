package dev.roster.node.model;

/** The Raft log entry a change was applied from: what the eviction log cites. */
public record LogPosition(long index, long term) {
  /** For changes applied outside a Raft log (tests, tools). */
  public static final LogPosition NONE = new LogPosition(0, 0);
}
