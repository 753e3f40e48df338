package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Registry;
import java.util.Objects;
import java.util.Set;

/** Registers an instance or replaces its payload; answers with the stored instance. */
public record RegisterCommand(long ts, InstanceSpec spec) implements RegistryCommand<Instance> {
  public RegisterCommand {
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Type type() {
    return Type.REGISTER;
  }

  @Override
  public ApplyResult<Instance> applyTo(Registry registry) {
    return ApplyResult.ok(registry.register(spec, ts)).changing(Set.of(spec.appKey()));
  }
}
