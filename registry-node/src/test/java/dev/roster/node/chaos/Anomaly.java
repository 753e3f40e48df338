package dev.roster.node.chaos;

import java.util.List;

/**
 * Something a checker found wrong in one round: a kind, the instance (if any), what and which ops.
 */
public record Anomaly(int round, String kind, String host, String detail, List<Long> ops) {
  static final String NONLINEARIZABLE = "nonlinearizable";
  static final String LOST_ACK = "acknowledged-register-lost";
  static final String RENEWING_EVICTED = "renewing-instance-vanished";
  static final String PHANTOM = "phantom-read";
  static final String POLL = "bad-poll-answer";
  static final String UNEXPECTED = "unexpected-answer";
  static final String DIVERGED = "replicas-diverged";
  static final String NOT_CONVERGED = "replicas-did-not-converge";
  static final String NOT_RECOVERED = "node-did-not-recover";
  static final String SEARCH_BUDGET = "linearizability-search-inconclusive";
}
