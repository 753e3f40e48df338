package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.Registry;
import java.util.Objects;
import java.util.Set;

/** Removes an instance; answers with the removed instance. */
public record CancelCommand(long ts, InstanceKey key) implements RegistryCommand<Instance> {
  public CancelCommand {
    Objects.requireNonNull(key, "key");
  }

  @Override
  public Type type() {
    return Type.CANCEL;
  }

  @Override
  public ApplyResult<Instance> applyTo(Registry registry) {
    return registry
        .cancel(key, ts)
        .map(removed -> ApplyResult.ok(removed).changing(Set.of(removed.appKey())))
        .orElseGet(ApplyResult::notFound);
  }
}
