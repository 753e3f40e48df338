package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.latest;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static dev.roster.node.model.Specs.stored;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RenewTest {
  private final Registry registry = registry();

  @Test
  void renewOfUnknownApplicationIsNotFound() {
    assertThat(registry.renew(new InstanceKey(ENV, APPID, "h1"), 100)).isEmpty();
    assertThat(registry.applicationCount()).isZero();
  }

  @Test
  void renewOfUnknownHostnameIsNotFound() {
    registry.register(spec("h1"), 100);

    assertThat(registry.renew(new InstanceKey(ENV, APPID, "h2"), 200)).isEmpty();
    assertThat(registry.instanceCount()).isEqualTo(1);
  }

  @Test
  void renewInAnotherEnvIsNotFound() {
    registry.register(spec("h1"), 100);

    assertThat(registry.renew(new InstanceKey("uat", APPID, "h1"), 200)).isEmpty();
  }

  @Test
  void renewOfUnknownInstanceIsNotCountedByTheGuard() {
    registry.register(spec("h1"), 100);

    registry.renew(new InstanceKey(ENV, APPID, "h2"), 200);
    registry.renew(new InstanceKey(ENV, "other.app", "h1"), 200);

    assertThat(registry.guard().renewsThisWindow()).isZero();
  }

  @Test
  void renewSetsRenewTimestampAndNothingElse() {
    Instance before = registry.register(spec("h1"), 100);

    Optional<Instance> renewed = registry.renew(new InstanceKey(ENV, APPID, "h1"), 250);

    assertThat(renewed).get().extracting(Instance::renewTimestamp).isEqualTo(250L);
    Instance after = stored(registry, "h1");
    assertThat(after).isEqualTo(renewed.get());
    assertThat(after).usingRecursiveComparison().ignoringFields("renewTimestamp").isEqualTo(before);
  }

  @Test
  void renewCountsOneRenewInTheGuardsCurrentWindow() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 100);

    registry.renew(new InstanceKey(ENV, APPID, "h1"), 200);
    registry.renew(new InstanceKey(ENV, APPID, "h2"), 200);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 300);

    assertThat(registry.guard().renewsThisWindow()).isEqualTo(3);
    assertThat(registry.guard().renewsLastWindow()).isZero();
  }

  @Test
  void renewDoesNotBumpApplicationLatestTimestamp() {
    registry.register(spec("h1"), 100);

    registry.renew(new InstanceKey(ENV, APPID, "h1"), 200);

    assertThat(latest(registry)).isEqualTo(100);
  }

  @Test
  void fetcherHoldingLatestTimestampFromBeforeRenewGetsNotModified() {
    registry.register(spec("h1"), 100);
    long held = registry.fetch(ENV, APPID, null, Status.ANY, 0).latestTimestamp();

    registry.renew(new InstanceKey(ENV, APPID, "h1"), 200);

    assertThat(registry.fetch(ENV, APPID, null, Status.ANY, held).outcome())
        .isEqualTo(Fetch.Outcome.NOT_MODIFIED);
  }
}
