package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.Registry;
import java.util.Objects;

/** A heartbeat; answers with the renewed instance. Changes nothing pollers see. */
public record RenewCommand(long ts, InstanceKey key) implements RegistryCommand<Instance> {
  public RenewCommand {
    Objects.requireNonNull(key, "key");
  }

  @Override
  public Type type() {
    return Type.RENEW;
  }

  @Override
  public ApplyResult<Instance> applyTo(Registry registry) {
    return registry.renew(key, ts).map(ApplyResult::ok).orElseGet(ApplyResult::notFound);
  }
}
