package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Many renews in one log entry. The leader gathers renews that arrive while earlier ones are being
 * committed (see {@code RenewCoalescer}); applying this is exactly applying each renew in order
 * with the same timestamp. The result value is a list with, per renew, the renewed instance or
 * empty for NotFound.
 */
public record RenewBatchCommand(long ts, List<InstanceKey> renews)
    implements RegistryCommand<List<Optional<Instance>>> {

  public RenewBatchCommand {
    renews = List.copyOf(renews);
    if (renews.isEmpty()) {
      throw new IllegalArgumentException("a renew batch holds at least one renew");
    }
  }

  @Override
  public Type type() {
    return Type.RENEW_BATCH;
  }

  @Override
  public ApplyResult<List<Optional<Instance>>> applyTo(Registry registry) {
    List<Optional<Instance>> results = new ArrayList<>(renews.size());
    for (InstanceKey k : renews) {
      results.add(registry.renew(k, ts));
    }
    // a restart replays each renew of the batch
    return ApplyResult.ok(List.copyOf(results)).weighing(renews.size());
  }
}
