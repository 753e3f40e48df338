package dev.roster.node.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checkers run on one round's history: linearizability per instance, acknowledged registers
 * kept, renewing instances not evicted, stale reads and polls showing only real writes, and no
 * unexpected answers. Eviction is excused only where the registry's rule allows it: an instance is
 * <em>at risk</em> when, at some moment, its last acknowledged register/renew was invoked more than
 * {@code expire − margin} before (renew_timestamp is stamped after that invocation).
 */
final class RoundChecks {
  static final long MAX_SEARCH_STEPS = 20_000_000;
  private static final long MARGIN_NANOS = 2_000_000_000L;
  private static final Set<Integer> EXPECTED_CODES = Set.of(0, -304, -307, -404, -503);

  /** Per-instance summary for the report. */
  record Summary(int instancesChecked, int linearizabilityOps, long searchSteps, int atRisk) {}

  private final int round;
  private final List<Op> ops;
  private final List<String> hosts;
  private final long expireNanos;
  private final List<Anomaly> anomalies = new ArrayList<>();
  private final Map<String, Linearizability.Result> failures = new HashMap<>();
  private final List<String> excused = new ArrayList<>();
  private Summary summary;

  RoundChecks(int round, List<Op> ops, List<String> hosts, long expireNanos) {
    this.round = round;
    this.ops = ops.stream().sorted(Comparator.comparingLong(Op::invoke)).toList();
    this.hosts = hosts;
    this.expireNanos = expireNanos;
  }

  List<Anomaly> run() {
    int checked = 0;
    int linOps = 0;
    long steps = 0;
    int atRiskCount = 0;
    long end = ops.stream().mapToLong(Op::complete).max().orElse(0);
    for (String host : hosts) {
      List<Op> own = ops.stream().filter(o -> host.equals(o.host())).toList();
      if (own.isEmpty()) {
        continue;
      }
      checked++;
      boolean atRisk = atRisk(own, end);
      if (atRisk) {
        atRiskCount++;
      }
      List<Op> lin = new ArrayList<>(own);
      ops.stream().filter(o -> o.kind().equals(Op.CREAD)).forEach(lin::add);
      Linearizability.Result r = Linearizability.check(host, lin, MAX_SEARCH_STEPS);
      linOps += r.ops();
      steps += r.steps();
      if (r.inconclusive()) {
        add(Anomaly.SEARCH_BUDGET, host, "search stopped after " + r.steps() + " steps", List.of());
      } else if (!r.linearizable()) {
        failures.put(host, r);
        if (atRisk) {
          // the registry may have evicted it by rule: not an anomaly, but the report says so
          excused.add(host);
        } else {
          add(
              Anomaly.NONLINEARIZABLE,
              host,
              "no linearization gets past op "
                  + r.stuckAt().id()
                  + " ("
                  + describe(r.stuckAt())
                  + ") after "
                  + r.deepestOrder().size()
                  + " ops",
              List.of(r.stuckAt().id()));
        }
      }
      if (!atRisk) {
        lostAcks(host, own);
        vanished(host, own);
      }
    }
    phantoms();
    polls();
    unexpected();
    summary = new Summary(checked, linOps, steps, atRiskCount);
    return anomalies;
  }

  /** Instances whose history only fits if the registry evicted them by rule (they were at risk). */
  List<String> excused() {
    return excused;
  }

  Summary summary() {
    return summary;
  }

  /** Non-linearizable instances (also excused ones), for writing their histories out. */
  Map<String, Linearizability.Result> failures() {
    return failures;
  }

  /** True when the instance could have been evicted by rule at some moment of the round. */
  private boolean atRisk(List<Op> own, long end) {
    long limit = expireNanos - MARGIN_NANOS;
    List<Op> acked =
        own.stream()
            .filter(
                o ->
                    (o.kind().equals(Op.REGISTER) || o.kind().equals(Op.RENEW))
                        && o.outcome().equals(Op.OK))
            .sorted(Comparator.comparingLong(Op::complete))
            .toList();
    Long firstRegister =
        own.stream()
            .filter(o -> o.kind().equals(Op.REGISTER) && !o.outcome().equals(Op.FAIL))
            .map(Op::invoke)
            .min(Long::compare)
            .orElse(null);
    if (firstRegister == null) {
      return false;
    }
    long base = firstRegister; // renew_timestamp is at least this once the instance exists
    for (Op k : acked) {
      if (k.complete() - base > limit) {
        return true;
      }
      base = Math.max(base, k.invoke());
    }
    return end - base > limit;
  }

  private List<Op> finalReads() {
    return ops.stream()
        .filter(
            o ->
                o.client() < 0
                    && o.kind().equals(Op.CREAD)
                    && (o.outcome().equals(Op.OK) || o.outcome().equals(Op.NOT_FOUND)))
        .toList();
  }

  /** An acknowledged register with no cancel that could come after it must be there at the end. */
  private void lostAcks(String host, List<Op> own) {
    List<Op> finals = finalReads();
    if (finals.isEmpty()) {
      return;
    }
    Op last = finals.get(finals.size() - 1);
    boolean present = last.obs() != null && last.obs().containsKey(host);
    if (present) {
      return;
    }
    for (Op reg : own) {
      if (!reg.kind().equals(Op.REGISTER) || !reg.outcome().equals(Op.OK)) {
        continue;
      }
      boolean cancelledLater =
          own.stream()
              .anyMatch(
                  c ->
                      c.kind().equals(Op.CANCEL)
                          && !c.outcome().equals(Op.FAIL)
                          && (c.isUnknown() || c.complete() > reg.invoke()));
      if (!cancelledLater) {
        add(
            Anomaly.LOST_ACK,
            host,
            "register op "
                + reg.id()
                + " was acknowledged, nothing cancelled it, "
                + "and the final consistent read (op "
                + last.id()
                + ") does not list it",
            List.of(reg.id(), last.id()));
        return;
      }
    }
  }

  /** A renew or set answered -404 although an acknowledged register and no cancel precede it. */
  private void vanished(String host, List<Op> own) {
    for (Op op : own) {
      if (!(op.kind().equals(Op.RENEW) || op.kind().equals(Op.SET))
          || !op.outcome().equals(Op.NOT_FOUND)) {
        continue;
      }
      for (Op reg : own) {
        if (!reg.kind().equals(Op.REGISTER)
            || !reg.outcome().equals(Op.OK)
            || reg.complete() >= op.invoke()) {
          continue;
        }
        boolean cancelBetween =
            own.stream()
                .anyMatch(
                    c ->
                        c.kind().equals(Op.CANCEL)
                            && !c.outcome().equals(Op.FAIL)
                            && c.invoke() < op.complete()
                            && (c.isUnknown() || c.complete() > reg.invoke()));
        if (!cancelBetween) {
          add(
              Anomaly.RENEWING_EVICTED,
              host,
              op.kind()
                  + " op "
                  + op.id()
                  + " got -404 after register op "
                  + reg.id()
                  + " was acknowledged, with no cancel in between and no eviction allowed",
              List.of(reg.id(), op.id()));
          return;
        }
      }
    }
  }

  /** Every instance any answer showed must come from a write invoked before that answer. */
  private void phantoms() {
    Map<String, Op> writesByTag = new HashMap<>();
    ops.stream()
        .filter(o -> o.tag() != null && !o.outcome().equals(Op.FAIL))
        .forEach(o -> writesByTag.put(o.tag(), o));
    for (Op op : ops) {
      if (op.obs() == null) {
        continue;
      }
      op.obs()
          .forEach(
              (host, o) -> {
                if (!hosts.contains(host)) {
                  add(
                      Anomaly.PHANTOM,
                      host,
                      describe(op) + " shows an instance no client registered",
                      List.of(op.id()));
                  return;
                }
                Op reg = writesByTag.get(o.version());
                if (reg == null
                    || !reg.kind().equals(Op.REGISTER)
                    || !host.equals(reg.host())
                    || reg.invoke() > op.complete()) {
                  add(
                      Anomaly.PHANTOM,
                      host,
                      describe(op)
                          + " shows version "
                          + o.version()
                          + " that no register of this instance invoked before it wrote",
                      List.of(op.id()));
                  return;
                }
                int expectedStatus = reg.status();
                if (!o.meta().isEmpty()) {
                  Op set = writesByTag.get(o.meta());
                  if (set == null
                      || !set.kind().equals(Op.SET)
                      || !host.equals(set.host())
                      || set.invoke() > op.complete()
                      || !set.isUnknown() && set.complete() < reg.invoke()) {
                    add(
                        Anomaly.PHANTOM,
                        host,
                        describe(op)
                            + " shows metadata tag "
                            + o.meta()
                            + " that no set of this incarnation invoked before it wrote",
                        List.of(op.id()));
                    return;
                  }
                  expectedStatus = set.status();
                }
                if (o.status() != expectedStatus) {
                  add(
                      Anomaly.PHANTOM,
                      host,
                      describe(op)
                          + " shows status "
                          + o.status()
                          + " but the write it reflects set "
                          + expectedStatus,
                      List.of(op.id()));
                }
              });
    }
  }

  /**
   * A poll answers only with something newer than the caller's timestamp, and UP instances only.
   */
  private void polls() {
    for (Op op : ops) {
      if (!op.kind().equals(Op.POLL) || !op.outcome().equals(Op.OK)) {
        continue;
      }
      if (op.latest() == null || op.since() == null || op.latest() <= op.since()) {
        add(
            Anomaly.POLL,
            null,
            describe(op)
                + " answered latest_timestamp "
                + op.latest()
                + " not newer than the caller's "
                + op.since(),
            List.of(op.id()));
      }
      op.obs()
          .forEach(
              (host, o) -> {
                if (o.status() != 1) {
                  add(
                      Anomaly.POLL,
                      host,
                      describe(op) + " listed a WAITING instance",
                      List.of(op.id()));
                }
              });
    }
  }

  private void unexpected() {
    for (Op op : ops) {
      if (op.code() != null && !EXPECTED_CODES.contains(op.code())) {
        add(
            Anomaly.UNEXPECTED,
            op.host(),
            describe(op) + " answered " + op.code() + " " + op.message(),
            List.of(op.id()));
      }
    }
  }

  static String describe(Op op) {
    return op.kind()
        + (op.host() == null ? "" : " " + op.host())
        + (op.tag() == null ? "" : " " + op.tag())
        + (op.status() == null ? "" : " status=" + op.status())
        + " on n"
        + op.node()
        + " -> "
        + op.outcome()
        + (op.code() == null ? "" : " " + op.code());
  }

  private void add(String kind, String host, String detail, List<Long> opIds) {
    anomalies.add(new Anomaly(round, kind, host, detail, opIds));
  }
}
