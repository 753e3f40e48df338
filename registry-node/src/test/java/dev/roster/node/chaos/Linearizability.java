package dev.roster.node.chaos;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that the operations on ONE instance are linearizable against the registry's rules for a
 * single instance, with the Wing–Gong search as improved by Lowe (linked list of call/return
 * events, memoised on (set of linearized ops, model state)) — the algorithm of Knossos and
 * Porcupine. The per-instance split is sound because every operation touches exactly one instance
 * (a fetch is split into one observation per instance: it read them all at one point).
 *
 * <p>An operation whose outcome is unknown never returns: it may be linearized anywhere after its
 * invocation, including after everything else — which is the same as never having happened.
 *
 * <p>The model state is the instance as the workload can see it: absent, or present with the
 * version (tag of the register that created it), status and tag of the last set.
 */
final class Linearizability {
  /** What the model says an instance is; {@code null} means absent. */
  record State(String version, int status, String meta) {}

  /** The verdict for one instance. {@code stuckAt} is the op no linearization could get past. */
  record Result(
      String host,
      boolean linearizable,
      boolean inconclusive,
      int ops,
      Op stuckAt,
      List<Op> deepestOrder,
      long steps) {}

  private Linearizability() {}

  /**
   * @param host the instance's hostname
   * @param ops writes on this instance and consistent reads of its application (reads are projected
   *     onto this instance)
   */
  static Result check(String host, List<Op> ops, long maxSteps) {
    List<Op> relevant = new ArrayList<>();
    for (Op op : ops) {
      if (op.outcome().equals(Op.FAIL) || op.outcome().equals(Op.NOT_MODIFIED)) {
        continue; // never applied / changes nothing
      }
      if (op.kind().equals(Op.RENEW) && op.isUnknown()) {
        continue; // a renew that may or may not have happened changes nothing modelled
      }
      if (op.kind().equals(Op.CREAD) && op.isUnknown()) {
        continue;
      }
      relevant.add(op);
    }
    int n = relevant.size();
    Entry head = new Entry(-1, true, 0);
    List<Entry> events = new ArrayList<>(2 * n);
    for (int i = 0; i < n; i++) {
      Op op = relevant.get(i);
      Entry call = new Entry(i, true, op.invoke());
      Entry ret =
          new Entry(
              i, false, op.isUnknown() ? Long.MAX_VALUE : Math.max(op.complete(), op.invoke()));
      call.match = ret;
      events.add(call);
      events.add(ret);
    }
    // calls before returns at the same instant: overlapping is the permissive reading
    events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
    Entry prev = head;
    for (Entry e : events) {
      prev.next = e;
      e.prev = prev;
      prev = e;
    }

    Set<CacheKey> cache = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    BitSet linearized = new BitSet(n);
    State state = null;
    Entry entry = head.next;
    long steps = 0;
    int deepest = -1;
    List<Op> deepestOrder = List.of();
    Op stuckAt = null;
    while (head.next != null) {
      if (++steps > maxSteps) {
        return new Result(host, false, true, n, stuckAt, deepestOrder, steps);
      }
      if (entry.call) {
        Op op = relevant.get(entry.op);
        Step next = step(state, op, host);
        if (next.valid) {
          BitSet after = (BitSet) linearized.clone();
          after.set(entry.op);
          if (cache.add(new CacheKey(after, next.state))) {
            stack.push(new Frame(entry, state));
            state = next.state;
            linearized.set(entry.op);
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        if (stack.size() > deepest) {
          deepest = stack.size();
          stuckAt = relevant.get(entry.op);
          List<Op> order = new ArrayList<>();
          stack.descendingIterator().forEachRemaining(f -> order.add(relevant.get(f.entry.op)));
          deepestOrder = order;
        }
        if (stack.isEmpty()) {
          return new Result(host, false, false, n, stuckAt, deepestOrder, steps);
        }
        Frame f = stack.pop();
        state = f.state;
        linearized.clear(f.entry.op);
        unlift(f.entry);
        entry = f.entry.next;
      }
    }
    return new Result(host, true, false, n, null, List.of(), steps);
  }

  private record Step(boolean valid, State state) {
    static final Step INVALID = new Step(false, null);
  }

  /** The registry's rules for one instance, and what each answer allows. */
  static Step step(State s, Op op, String host) {
    boolean unknown = op.isUnknown();
    boolean ok = op.outcome().equals(Op.OK);
    boolean notFound = op.outcome().equals(Op.NOT_FOUND);
    switch (op.kind()) {
      case Op.REGISTER -> {
        State next = new State(op.tag(), op.status(), "");
        if (unknown) {
          return new Step(true, next);
        }
        Op.Obs o = observed(op, host);
        return ok && (o == null || matches(o, next)) ? new Step(true, next) : Step.INVALID;
      }
      case Op.RENEW -> {
        if (notFound) {
          return s == null ? new Step(true, null) : Step.INVALID;
        }
        Op.Obs o = observed(op, host);
        return ok && s != null && (o == null || matches(o, s)) ? new Step(true, s) : Step.INVALID;
      }
      case Op.CANCEL -> {
        if (unknown) {
          return new Step(true, null);
        }
        if (notFound) {
          return s == null ? new Step(true, null) : Step.INVALID;
        }
        return ok && s != null ? new Step(true, null) : Step.INVALID;
      }
      case Op.SET -> {
        State changed = s == null ? null : new State(s.version(), op.status(), op.tag());
        if (unknown) {
          return new Step(true, changed);
        }
        if (notFound) {
          return s == null ? new Step(true, null) : Step.INVALID;
        }
        return ok && s != null ? new Step(true, changed) : Step.INVALID;
      }
      case Op.CREAD -> {
        if (notFound) {
          return s == null ? new Step(true, null) : Step.INVALID;
        }
        Op.Obs o = op.obs() == null ? null : op.obs().get(host);
        boolean same = o == null ? s == null : s != null && matches(o, s);
        return ok && same ? new Step(true, s) : Step.INVALID;
      }
      default -> throw new IllegalArgumentException("not a modelled op: " + op.kind());
    }
  }

  private static Op.Obs observed(Op op, String host) {
    Map<String, Op.Obs> obs = op.obs();
    return obs == null ? null : obs.get(host);
  }

  private static boolean matches(Op.Obs o, State s) {
    return o.version().equals(s.version()) && o.status() == s.status() && o.meta().equals(s.meta());
  }

  private static void lift(Entry e) {
    e.prev.next = e.next;
    if (e.next != null) {
      e.next.prev = e.prev;
    }
    Entry m = e.match;
    m.prev.next = m.next;
    if (m.next != null) {
      m.next.prev = m.prev;
    }
  }

  private static void unlift(Entry e) {
    Entry m = e.match;
    m.prev.next = m;
    if (m.next != null) {
      m.next.prev = m;
    }
    e.prev.next = e;
    if (e.next != null) {
      e.next.prev = e;
    }
  }

  private static final class Entry {
    final int op;
    final boolean call;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(int op, boolean call, long time) {
      this.op = op;
      this.call = call;
      this.time = time;
    }
  }

  private record Frame(Entry entry, State state) {}

  private record CacheKey(BitSet linearized, State state) {
    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey k
          && k.linearized.equals(linearized)
          && Objects.equals(k.state, state);
    }

    @Override
    public int hashCode() {
      return linearized.hashCode() * 31 + Objects.hashCode(state);
    }
  }
}
