package dev.roster.node.command;

import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Registry;
import java.util.Objects;
import java.util.Set;

/**
 * A register through the Eureka API: an upsert like {@link RegisterCommand}, except that a status
 * override the instance already has survives it (Eureka's rule), decided here, on the replicated
 * state, so no override set between a node's read and this entry is lost.
 */
public record EurekaRegisterCommand(long ts, InstanceSpec spec)
    implements RegistryCommand<Instance> {
  public EurekaRegisterCommand {
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Type type() {
    return Type.EUREKA_REGISTER;
  }

  @Override
  public ApplyResult<Instance> applyTo(Registry registry) {
    String override =
        registry
            .instance(spec.key())
            .map(i -> i.extensions().get(EurekaFields.OVERRIDDEN_STATUS))
            .orElse(null);
    InstanceSpec stored = EurekaFields.keepingOverride(spec, override);
    return ApplyResult.ok(registry.register(stored, ts)).changing(Set.of(spec.appKey()));
  }
}
