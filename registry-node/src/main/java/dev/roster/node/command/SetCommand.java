package dev.roster.node.command;

import dev.roster.node.model.Registry;
import dev.roster.node.model.SetChange;
import java.util.List;

public record SetCommand(long ts, String env, String appid, List<SetChange> changes)
    implements RegistryCommand {
  public SetCommand {
    changes = List.copyOf(changes);
  }

  @Override
  public Type type() {
    return Type.SET;
  }

  @Override
  public ApplyResult applyTo(Registry registry) {
    return registry.set(env, appid, changes, ts).map(ApplyResult::ok).orElse(ApplyResult.notFound());
  }
}
