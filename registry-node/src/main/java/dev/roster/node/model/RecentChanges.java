package dev.roster.node.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The changes of the last {@link #RETENTION_NANOS} (what a Eureka client's delta fetch asks for):
 * for each instance changed in that time its latest change only, oldest first. It is part of the
 * replicated state, fed by the registry's own mutations and stamped with their (leader) timestamps,
 * so every replica that applied the same entries holds the same changes.
 *
 * <p>Keeping only the latest change per instance bounds it by the instances changed in the window,
 * and is what a client needs: it applies a delta as upserts and removals, so the latest state of
 * each instance is the whole story. Renews are not changes.
 */
public final class RecentChanges {
  /** Eureka's {@code retentionTimeInMSInDeltaQueue}: 3 minutes. */
  public static final long RETENTION_NANOS = 180_000_000_000L;

  /** What happened to the instance, in Eureka's terms. */
  public enum Action {
    ADDED,
    MODIFIED,
    DELETED
  }

  /** One change: the instance as it was after it (before it, for a deletion). */
  public record Change(long ts, Action action, Instance instance) {}

  private final LinkedHashMap<InstanceKey, Change> changes = new LinkedHashMap<>();
  private long version;

  void record(long ts, Action action, Instance instance) {
    InstanceKey key = instance.key();
    Change previous = changes.remove(key);
    // an instance added and changed within the window is still "added" to a client that missed
    // both; one deleted and added again is "added". An ADDED older than the retention is out of
    // this change's window, whether or not another instance's change has pruned it yet.
    Action kept =
        previous != null
                && previous.action() == Action.ADDED
                && action == Action.MODIFIED
                && previous.ts() >= ts - RETENTION_NANOS
            ? Action.ADDED
            : action;
    changes.put(key, new Change(ts, kept, instance));
    version++;
    prune(ts);
  }

  /**
   * Moves with every change recorded here (every mutation but a renew): a cache of what readers
   * derive from the registry is current while this and the object it belongs to are the same. Not
   * replicated: each replica counts its own.
   */
  public long version() {
    return version;
  }

  /**
   * Drops the changes older than the retention before {@code ts}, the change just recorded. Not the
   * newest time ever recorded: after a leader whose clock is behind, that may be a time no retained
   * change holds any more, which a snapshot does not save, so a restored replica would prune
   * otherwise than the one that lived through it. The retained changes and the new one are all the
   * state there is.
   */
  private void prune(long ts) {
    long cutoff = ts - RETENTION_NANOS;
    Iterator<Change> it = changes.values().iterator();
    while (it.hasNext()) {
      if (it.next().ts() >= cutoff) {
        return;
      }
      it.remove();
    }
  }

  /** The retained changes, oldest first, of the instances {@code filter} accepts. */
  public List<Change> changes(Predicate<Instance> filter) {
    List<Change> out = new ArrayList<>();
    for (Change c : changes.values()) {
      if (filter.test(c.instance())) {
        out.add(c);
      }
    }
    return out;
  }

  /** Every retained change, oldest first (snapshots). */
  public Collection<Change> all() {
    return Collections.unmodifiableCollection(changes.values());
  }

  public int size() {
    return changes.size();
  }

  /** Puts back a saved change, in the saved order (snapshot restore). */
  void restore(Change change) {
    changes.remove(change.instance().key());
    changes.put(change.instance().key(), change);
    version++;
  }

  /** For a test's or a digest's comparison: the changes in order, as a map. */
  Map<InstanceKey, Change> asMap() {
    return Collections.unmodifiableMap(changes);
  }
}
