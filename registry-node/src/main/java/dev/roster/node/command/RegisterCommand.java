package dev.roster.node.command;

import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Registry;

public record RegisterCommand(long ts, InstanceSpec spec) implements RegistryCommand {
  @Override
  public Type type() {
    return Type.REGISTER;
  }

  @Override
  public ApplyResult applyTo(Registry registry) {
    return ApplyResult.ok(registry.register(spec, ts));
  }
}
