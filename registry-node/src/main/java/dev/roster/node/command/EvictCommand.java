package dev.roster.node.command;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.Instance;
import dev.roster.node.model.Registry;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The leader's periodic check: closes the guard's window (when {@code rollGuardWindow}) and removes
 * the chosen expired instances that have not renewed since the leader chose them. Answers with the
 * instances it removed.
 */
public record EvictCommand(long ts, List<EvictTarget> targets, boolean rollGuardWindow)
    implements RegistryCommand<List<Instance>> {
  public EvictCommand {
    targets = List.copyOf(targets);
  }

  @Override
  public Type type() {
    return Type.EVICT;
  }

  @Override
  public ApplyResult<List<Instance>> applyTo(Registry registry) {
    if (rollGuardWindow) {
      registry.rollGuardWindow();
    }
    List<Instance> evicted = registry.evict(targets, ts);
    return ApplyResult.ok(evicted)
        .changing(evicted.stream().map(Instance::appKey).collect(Collectors.toSet()))
        .weighing(1 + targets.size())
        .evicting(evicted.size());
  }
}
