package dev.roster.node.model;

import java.util.Map;
import java.util.Objects;

/** One instance's part of a {@code set}: a new status and/or new metadata; null keeps the field. */
public record SetChange(String hostname, Integer status, Map<String, String> metadata) {
  public SetChange {
    Objects.requireNonNull(hostname, "hostname");
    if (status != null && !Status.isValid(status)) {
      throw new IllegalArgumentException("status must be 1 (up) or 2 (waiting): " + status);
    }
    if (status == null && metadata == null) {
      throw new IllegalArgumentException("a set changes status, metadata or both");
    }
    metadata = metadata == null ? null : Map.copyOf(metadata);
  }
}
