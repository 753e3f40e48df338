package dev.roster.node.model;

import java.util.Map;
import java.util.Objects;

/** One instance's part of a {@code set}: a new status and/or new metadata; null keeps the field. */
public record SetChange(String hostname, Status status, Map<String, String> metadata) {
  public SetChange {
    Objects.requireNonNull(hostname, "hostname");
    if (status == null && metadata == null) {
      throw new IllegalArgumentException("a set changes status, metadata or both");
    }
    metadata = metadata == null ? null : Map.copyOf(metadata);
  }
}
