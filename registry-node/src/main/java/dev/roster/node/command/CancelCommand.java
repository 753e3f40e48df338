package dev.roster.node.command;

import dev.roster.node.model.Registry;

public record CancelCommand(long ts, String env, String appid, String hostname)
    implements RegistryCommand {
  @Override
  public Type type() {
    return Type.CANCEL;
  }

  @Override
  public ApplyResult applyTo(Registry registry) {
    return registry.cancel(env, appid, hostname, ts).map(ApplyResult::ok).orElse(ApplyResult.notFound());
  }
}
