package dev.roster.node.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Why instances left and when self-protection changed, as replicated state: every eviction (the
 * instance, its last renew as the leader saw it, when, the log entry that did it, the reason),
 * every change of self-protection with the renews and threshold that decided it, and the renews of
 * each check window of the last hour. Bounded: the last {@link #capacity()} evictions and
 * protection changes; the totals by reason count all of them.
 *
 * <p>Fed only by the leader's eviction checks as they are applied, with what the check itself
 * carries, so every replica holds the same log.
 */
public final class EvictionLog {
  public static final int DEFAULT_CAPACITY = 1000;
  public static final int MAX_CAPACITY = 100_000;

  /** Check windows are kept for this long (the console's chart)... */
  static final long WINDOW_HISTORY_NANOS = 3_600_000_000_000L;

  /** ...but never more of them than this (a short evict interval would otherwise keep many). */
  static final int MAX_WINDOWS = 720;

  /** One eviction. {@code seq} orders the log's entries (evictions and protection changes). */
  public record Eviction(
      long seq,
      InstanceKey key,
      String zone,
      List<String> addrs,
      long lastRenew,
      long evictedAt,
      LogPosition at,
      EvictionReason reason) {
    public Eviction {
      Objects.requireNonNull(key, "key");
      addrs = List.copyOf(addrs);
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Self-protection turned on or off at {@code ts}: {@code renews} against {@code threshold}. */
  public record ProtectionChange(
      long seq, boolean on, long ts, long renews, long threshold, LogPosition at) {
    public ProtectionChange {
      Objects.requireNonNull(at, "at");
    }
  }

  /** One closed check window: the renews it saw, the threshold, and what the check decided. */
  public record Window(long ts, long renews, long threshold, boolean protecting) {}

  /**
   * What an eviction check decided, as its log entry carries it: protection on or off, the renews
   * and threshold that decided it, and the log's capacity on the leader that checked.
   */
  public record Check(boolean protecting, long renews, long threshold, int capacity) {
    public Check {
      if (capacity < 1 || capacity > MAX_CAPACITY) {
        throw new IllegalArgumentException(
            "eviction log capacity must be in 1.." + MAX_CAPACITY + ", got " + capacity);
      }
    }
  }

  /** Everything the log holds, oldest entries first, as a snapshot saves it. */
  public record State(
      int capacity,
      long nextSeq,
      List<Long> totals,
      Boolean protecting,
      long protectingSince,
      List<Eviction> evictions,
      List<ProtectionChange> changes,
      List<Window> windows) {
    public State {
      totals = List.copyOf(totals);
      evictions = List.copyOf(evictions);
      changes = List.copyOf(changes);
      windows = List.copyOf(windows);
    }

    public static final State EMPTY =
        new State(DEFAULT_CAPACITY, 1, zeros(), null, 0, List.of(), List.of(), List.of());

    private static List<Long> zeros() {
      List<Long> z = new ArrayList<>();
      for (int i = 0; i < EvictionReason.values().length; i++) {
        z.add(0L);
      }
      return z;
    }

    /** True when nothing was ever logged (a registry no eviction check has run on). */
    public boolean isEmpty() {
      return equals(EMPTY);
    }
  }

  private int capacity = DEFAULT_CAPACITY;
  private long nextSeq = 1;
  private final long[] totals = new long[EvictionReason.values().length];
  private Boolean protecting;
  private long protectingSince;
  private final Deque<Eviction> evictions = new ArrayDeque<>();
  private final Deque<ProtectionChange> changes = new ArrayDeque<>();
  private final Deque<Window> windows = new ArrayDeque<>();

  EvictionLog() {}

  /** Records a check: its window, a change of protection, and the capacity it carries. */
  void checked(Check check, long ts, LogPosition at) {
    capacity = check.capacity();
    trim(evictions);
    trim(changes);
    windows.addLast(new Window(ts, check.renews(), check.threshold(), check.protecting()));
    while (windows.size() > MAX_WINDOWS || windows.peekFirst().ts() < ts - WINDOW_HISTORY_NANOS) {
      windows.removeFirst();
    }
    if (protecting == null || protecting != check.protecting()) {
      if (protecting != null || check.protecting()) {
        changes.addLast(
            new ProtectionChange(
                nextSeq++, check.protecting(), ts, check.renews(), check.threshold(), at));
        trim(changes);
      }
      protecting = check.protecting();
      protectingSince = ts;
    }
  }

  /** Records that {@code removed} was evicted at {@code ts} as {@code target} asked. */
  void evicted(Instance removed, EvictTarget target, long ts, LogPosition at) {
    evictions.addLast(
        new Eviction(
            nextSeq++,
            removed.key(),
            removed.zone(),
            removed.addrs(),
            removed.renewTimestamp(),
            ts,
            at,
            target.reason()));
    totals[target.reason().ordinal()]++;
    trim(evictions);
  }

  private <T> void trim(Deque<T> entries) {
    while (entries.size() > capacity) {
      entries.removeFirst();
    }
  }

  public int capacity() {
    return capacity;
  }

  /** The evictions held, oldest first. */
  public List<Eviction> evictions() {
    return List.copyOf(evictions);
  }

  /** The protection changes held, oldest first. */
  public List<ProtectionChange> changes() {
    return List.copyOf(changes);
  }

  /** The check windows of the last hour, oldest first. */
  public List<Window> windows() {
    return List.copyOf(windows);
  }

  /** Every eviction ever logged for {@code reason} (not only those still held). */
  public long total(EvictionReason reason) {
    return totals[reason.ordinal()];
  }

  /** What the last check decided; null before the first check. */
  public Boolean protecting() {
    return protecting;
  }

  /** When protection last turned on or off (the first check, if it never changed). */
  public long protectingSince() {
    return protectingSince;
  }

  public State state() {
    List<Long> t = new ArrayList<>();
    for (long x : totals) {
      t.add(x);
    }
    return new State(
        capacity,
        nextSeq,
        t,
        protecting,
        protectingSince,
        List.copyOf(evictions),
        List.copyOf(changes),
        List.copyOf(windows));
  }

  void restore(State s) {
    if (s.totals().size() != totals.length) {
      throw new IllegalArgumentException("eviction totals for " + s.totals().size() + " reasons");
    }
    capacity = s.capacity();
    nextSeq = s.nextSeq();
    for (int i = 0; i < totals.length; i++) {
      totals[i] = s.totals().get(i);
    }
    protecting = s.protecting();
    protectingSince = s.protectingSince();
    evictions.clear();
    evictions.addAll(s.evictions());
    changes.clear();
    changes.addAll(s.changes());
    windows.clear();
    windows.addAll(s.windows());
  }
}
