package dev.roster.node.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Registry;
import dev.roster.node.model.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RenewBatchCommandTest {
  private final Registry registry = new Registry(GuardPolicy.DEFAULT);

  private void register(String host) {
    registry.register(
        new InstanceSpec("z", "dev", "app", host, List.of("http://h:1"), "", Status.UP, Map.of()),
        10);
  }

  @Test
  void aBatchAppliesEachRenewInOrderAndReportsUnknownOnesAsNull() {
    register("h1");
    register("h2");
    long latestBefore = registry.application("dev", "app").orElseThrow().latestTimestamp();
    ApplyResult<List<Optional<Instance>>> r =
        new RenewBatchCommand(
                50,
                List.of(
                    new InstanceKey("dev", "app", "h1"),
                    new InstanceKey("dev", "app", "nope"),
                    new InstanceKey("dev", "app", "h2"),
                    new InstanceKey("dev", "app", "h1")))
            .applyTo(registry);

    List<Optional<Instance>> results = r.value();
    assertThat(results).hasSize(4);
    assertThat(results.get(0).orElseThrow().renewTimestamp()).isEqualTo(50);
    assertThat(results.get(1)).isEmpty();
    assertThat(results.get(2).orElseThrow().hostname()).isEqualTo("h2");
    // a restart replays each renew; renews change nothing pollers see
    assertThat(r.replayWeight()).isEqualTo(4);
    assertThat(r.changed()).isEmpty();
    assertThat(registry.guard().renewsThisWindow()).isEqualTo(3);
    // renews change nothing a fetcher filters on
    assertThat(registry.application("dev", "app").orElseThrow().latestTimestamp())
        .isEqualTo(latestBefore);
  }

  @Test
  void aBatchIsTheSameAsItsRenewsOneByOne() {
    Registry single = new Registry(GuardPolicy.DEFAULT);
    for (Registry reg : List.of(registry, single)) {
      reg.register(
          new InstanceSpec("z", "dev", "app", "h1", List.of("http://h:1"), "", Status.UP, Map.of()),
          10);
    }
    new RenewBatchCommand(70, List.of(new InstanceKey("dev", "app", "h1"))).applyTo(registry);
    new RenewCommand(70, new InstanceKey("dev", "app", "h1")).applyTo(single);
    assertThat(registry.application("dev", "app").orElseThrow().instance("h1"))
        .isEqualTo(single.application("dev", "app").orElseThrow().instance("h1"));
    assertThat(registry.guard().renewsThisWindow()).isEqualTo(single.guard().renewsThisWindow());
  }

  @Test
  void anEmptyBatchIsRejected() {
    assertThatThrownBy(() -> new RenewBatchCommand(1, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
