package dev.roster.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The nodes a client talks to: the configured seeds plus the nodes {@code /discovery/nodes}
 * reported, the last known leader, and which nodes failed recently. Reads go round-robin over nodes
 * that have not failed lately; writes go to the leader when one is known.
 */
final class Nodes {
  private final List<URI> seeds;
  private final long penaltyNanos;
  private final LongSupplier clock;
  private volatile List<URI> all;
  private final AtomicReference<URI> leader = new AtomicReference<>();
  private final Map<URI, Long> failedAt = new ConcurrentHashMap<>();
  private final AtomicInteger cursor;

  /** A node that failed is skipped for {@code penaltyNanos} unless every node has failed. */
  Nodes(List<URI> seeds, long penaltyNanos) {
    // a random start spreads many clients built at the same moment over the nodes
    this(seeds, penaltyNanos, System::nanoTime, ThreadLocalRandom.current().nextInt(1 << 16));
  }

  /**
   * @param clock {@link System#nanoTime}, or a manual clock in tests
   * @param firstPick where the round-robin starts, an index into the seeds modulo their number
   */
  Nodes(List<URI> seeds, long penaltyNanos, LongSupplier clock, int firstPick) {
    this.seeds = List.copyOf(seeds);
    this.all = this.seeds;
    this.penaltyNanos = penaltyNanos;
    this.clock = clock;
    this.cursor = new AtomicInteger(firstPick);
  }

  /**
   * The node for the next attempt of an operation. Nodes this operation has not {@code tried} yet
   * come first, those not failed lately (by any operation) before penalised ones, so that every
   * node is tried once before any is tried again: choosing only by penalty let an operation bounce
   * between two penalised nodes while a third was never asked. {@code lastFailed} (may be null) is
   * avoided when another node exists.
   */
  URI pick(boolean write, URI lastFailed, Set<URI> tried) {
    if (write) {
      URI l = leader.get();
      if (l != null && !l.equals(lastFailed)) {
        return l;
      }
    }
    List<URI> list = all;
    int n = list.size();
    long now = clock.getAsLong();
    URI untriedPenalised = null;
    URI fallback = null;
    for (int i = 0; i < n; i++) {
      URI u = list.get(Math.floorMod(cursor.getAndIncrement(), n));
      if (n > 1 && u.equals(lastFailed)) {
        continue;
      }
      if (fallback == null) {
        fallback = u;
      }
      if (tried.contains(u)) {
        continue;
      }
      Long failed = failedAt.get(u);
      if (failed == null || now - failed > penaltyNanos) {
        return u;
      }
      if (untriedPenalised == null) {
        untriedPenalised = u;
      }
    }
    if (untriedPenalised != null) {
      return untriedPenalised;
    }
    return fallback != null ? fallback : list.get(0);
  }

  void succeeded(URI node) {
    failedAt.remove(node);
  }

  void failed(URI node) {
    failedAt.put(node, clock.getAsLong());
    leader.compareAndSet(node, null);
  }

  /** A redirect or the node list named the leader. */
  void leaderIs(URI node) {
    leader.set(node);
    failedAt.remove(node);
    List<URI> list = all;
    if (!list.contains(node)) {
      List<URI> more = new ArrayList<>(list);
      more.add(node);
      all = List.copyOf(more);
    }
  }

  URI leader() {
    return leader.get();
  }

  /** The live nodes {@code /discovery/nodes} reported; the seeds always stay in the rotation. */
  void discovered(List<URI> live, URI newLeader) {
    Set<URI> merged = new LinkedHashSet<>(seeds);
    merged.addAll(live);
    all = List.copyOf(merged);
    if (newLeader != null) {
      leaderIs(newLeader);
    }
  }

  List<URI> all() {
    return all;
  }
}
