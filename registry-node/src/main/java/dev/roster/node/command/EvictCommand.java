package dev.roster.node.command;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.Instance;
import dev.roster.node.model.LogPosition;
import dev.roster.node.model.Registry;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The leader's periodic check: closes the guard's window (when {@code rollGuardWindow}), logs what
 * the check decided ({@code check}; null in entries written before the eviction log) and removes
 * the chosen expired instances that have not renewed since the leader chose them, logging each.
 * Answers with the instances it removed.
 */
public record EvictCommand(
    long ts, List<EvictTarget> targets, boolean rollGuardWindow, EvictionLog.Check check)
    implements RegistryCommand<List<Instance>> {
  public EvictCommand {
    targets = List.copyOf(targets);
  }

  /** A check as versions before the eviction log wrote it: no decision, no reasons. */
  public EvictCommand(long ts, List<EvictTarget> targets, boolean rollGuardWindow) {
    this(ts, targets, rollGuardWindow, null);
  }

  @Override
  public Type type() {
    return Type.EVICT;
  }

  @Override
  public ApplyResult<List<Instance>> applyTo(Registry registry) {
    return applyTo(registry, LogPosition.NONE);
  }

  @Override
  public ApplyResult<List<Instance>> applyTo(Registry registry, LogPosition at) {
    if (rollGuardWindow) {
      registry.rollGuardWindow();
    }
    if (check != null) {
      registry.recordCheck(check, ts, at);
    }
    List<Instance> evicted = registry.evict(targets, ts, at);
    return ApplyResult.ok(evicted)
        .changing(evicted.stream().map(Instance::appKey).collect(Collectors.toSet()))
        .weighing(1 + targets.size())
        .evicting(evicted.size());
  }
}
