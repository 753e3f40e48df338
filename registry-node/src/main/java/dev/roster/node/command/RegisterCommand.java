package dev.roster.node.command;

import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Registry;
import java.util.Objects;

public record RegisterCommand(long ts, InstanceSpec spec) implements RegistryCommand {
  public RegisterCommand {
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Type type() {
    return Type.REGISTER;
  }

  @Override
  public ApplyResult applyTo(Registry registry) {
    return ApplyResult.ok(registry.register(spec, ts));
  }
}
