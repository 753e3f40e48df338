package dev.roster.node.command;

import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.Registry;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Sets or deletes ({@code override} null) an instance's Eureka status override; answers with the
 * changed instance, or not found.
 */
public record EurekaStatusCommand(long ts, InstanceKey key, String override)
    implements RegistryCommand<Instance> {
  public EurekaStatusCommand {
    Objects.requireNonNull(key, "key");
    if (override != null && override.isEmpty()) {
      throw new IllegalArgumentException("override must be null or a status");
    }
  }

  @Override
  public Type type() {
    return Type.EUREKA_STATUS;
  }

  @Override
  public ApplyResult<Instance> applyTo(Registry registry) {
    Optional<Instance> existing = registry.instance(key);
    if (existing.isEmpty()) {
      return ApplyResult.notFound();
    }
    Map<String, String> ext = EurekaFields.withOverride(existing.get().extensions(), override);
    return registry
        .changeStatus(key, EurekaFields.rosterStatus(ext), ext, ts)
        .map(changed -> ApplyResult.ok(changed).changing(Set.of(key.appKey())))
        .orElseGet(ApplyResult::notFound);
  }
}
