package dev.roster.node.command;

import dev.roster.node.model.AppKey;
import java.util.Objects;
import java.util.Set;

/**
 * What applying a command did: OK with a value of the command's own type (the stored instance, the
 * evicted ones...), or a business rejection such as NotFound, together with what the state machine
 * records about every entry. A rejection is a result, not an exception: it is the same on every
 * replica.
 *
 * @param value the command's answer to its proposer; null when the command was rejected
 * @param changed the applications whose instances pollers see changed (renews change none)
 * @param replayWeight the operations a restart replays for this entry (snapshot by work): one per
 *     entry, one per renew of a batch, one more per target of an eviction
 * @param evicted the instances this entry removed by eviction
 */
public record ApplyResult<R>(
    Code code, R value, Set<AppKey> changed, long replayWeight, long evicted) {
  public enum Code {
    OK,
    NOT_FOUND
  }

  public ApplyResult {
    Objects.requireNonNull(code, "code");
    changed = Set.copyOf(changed);
  }

  /** OK with {@code value}; changes nothing pollers see, weighs one operation. */
  public static <R> ApplyResult<R> ok(R value) {
    return new ApplyResult<>(Code.OK, value, Set.of(), 1, 0);
  }

  /** Rejected as not found; changes nothing, weighs one operation. */
  public static <R> ApplyResult<R> notFound() {
    return new ApplyResult<>(Code.NOT_FOUND, null, Set.of(), 1, 0);
  }

  public ApplyResult<R> changing(Set<AppKey> apps) {
    return new ApplyResult<>(code, value, apps, replayWeight, evicted);
  }

  public ApplyResult<R> weighing(long operations) {
    return new ApplyResult<>(code, value, changed, operations, evicted);
  }

  public ApplyResult<R> evicting(long instances) {
    return new ApplyResult<>(code, value, changed, replayWeight, instances);
  }

  public boolean isOk() {
    return code == Code.OK;
  }
}
