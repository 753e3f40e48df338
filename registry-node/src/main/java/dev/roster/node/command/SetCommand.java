package dev.roster.node.command;

import dev.roster.node.model.AppKey;
import dev.roster.node.model.Instance;
import dev.roster.node.model.Registry;
import dev.roster.node.model.SetChange;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Changes status and/or metadata of instances of one application; answers with them. */
public record SetCommand(long ts, String env, String appid, List<SetChange> changes)
    implements RegistryCommand<List<Instance>> {
  /** Rejects what the decoder would reject: followers must be able to read every entry. */
  public SetCommand {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
    changes = List.copyOf(changes);
    if (changes.isEmpty()) {
      throw new IllegalArgumentException("a set changes at least one instance");
    }
  }

  @Override
  public Type type() {
    return Type.SET;
  }

  @Override
  public ApplyResult<List<Instance>> applyTo(Registry registry) {
    return registry
        .set(env, appid, changes, ts)
        .map(changed -> ApplyResult.ok(changed).changing(Set.of(new AppKey(env, appid))))
        .orElseGet(ApplyResult::notFound);
  }
}
