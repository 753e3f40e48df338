package dev.roster.node.command;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.Registry;
import java.util.List;

/**
 * The leader's periodic check: closes the guard's window (when {@code rollGuardWindow}) and
 * removes the chosen expired instances that have not renewed since the leader chose them.
 */
public record EvictCommand(long ts, List<EvictTarget> targets, boolean rollGuardWindow)
    implements RegistryCommand {
  public EvictCommand {
    targets = List.copyOf(targets);
  }

  @Override
  public Type type() {
    return Type.EVICT;
  }

  @Override
  public ApplyResult applyTo(Registry registry) {
    if (rollGuardWindow) {
      registry.rollGuardWindow();
    }
    return ApplyResult.ok(registry.evict(targets, ts));
  }
}
