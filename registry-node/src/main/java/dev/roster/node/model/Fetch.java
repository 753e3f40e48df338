package dev.roster.node.model;

import java.util.List;
import java.util.Map;

/** The answer to a fetch: the matching instances by zone, or why there are none to send. */
public record Fetch(Outcome outcome, Map<String, List<Instance>> instances, long latestTimestamp) {
  public enum Outcome {
    FOUND,
    NOT_MODIFIED,
    NOT_FOUND
  }

  static final Fetch NOT_FOUND = new Fetch(Outcome.NOT_FOUND, Map.of(), 0);

  static Fetch notModified(long latestTimestamp) {
    return new Fetch(Outcome.NOT_MODIFIED, Map.of(), latestTimestamp);
  }
}
