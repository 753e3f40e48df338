package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.Registry;
import java.util.Objects;
import java.util.Set;

/** Removes an instance; answers with the removed instance. */
public record CancelCommand(long ts, String env, String appid, String hostname)
    implements RegistryCommand<Instance> {
  public CancelCommand {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(hostname, "hostname");
  }

  @Override
  public Type type() {
    return Type.CANCEL;
  }

  @Override
  public ApplyResult<Instance> applyTo(Registry registry) {
    return registry.cancel(env, appid, hostname, ts)
        .map(removed -> ApplyResult.ok(removed).changing(Set.of(removed.appKey())))
        .orElseGet(ApplyResult::notFound);
  }
}
