package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.Registry;
import java.util.Objects;

/** A heartbeat; answers with the renewed instance. Changes nothing pollers see. */
public record RenewCommand(long ts, String env, String appid, String hostname)
    implements RegistryCommand<Instance> {
  public RenewCommand {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(hostname, "hostname");
  }

  @Override
  public Type type() {
    return Type.RENEW;
  }

  @Override
  public ApplyResult<Instance> applyTo(Registry registry) {
    return registry.renew(env, appid, hostname, ts)
        .map(ApplyResult::ok)
        .orElseGet(ApplyResult::notFound);
  }
}
