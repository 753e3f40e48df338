package dev.roster.node.command;

import dev.roster.node.model.Registry;

public record RenewCommand(long ts, String env, String appid, String hostname)
    implements RegistryCommand {
  @Override
  public Type type() {
    return Type.RENEW;
  }

  @Override
  public ApplyResult applyTo(Registry registry) {
    return registry.renew(env, appid, hostname, ts).map(ApplyResult::ok).orElse(ApplyResult.notFound());
  }
}
