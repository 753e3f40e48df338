package dev.roster.node.command;

import dev.roster.node.model.Registry;
import java.util.Objects;

public record CancelCommand(long ts, String env, String appid, String hostname)
    implements RegistryCommand {
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
  public ApplyResult applyTo(Registry registry) {
    return registry.cancel(env, appid, hostname, ts).map(ApplyResult::ok).orElse(ApplyResult.notFound());
  }
}
