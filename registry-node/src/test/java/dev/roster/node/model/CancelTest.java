package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.latest;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CancelTest {
  private final Registry registry = registry();

  @Test
  void cancelOfUnknownApplicationIsNotFound() {
    assertThat(registry.cancel(new InstanceKey(ENV, APPID, "h1"), 100)).isEmpty();
  }

  @Test
  void cancelOfUnknownHostnameIsNotFoundAndChangesNothing() {
    registry.register(spec("h1"), 100);

    assertThat(registry.cancel(new InstanceKey(ENV, APPID, "h2"), 200)).isEmpty();

    assertThat(registry.instanceCount()).isEqualTo(1);
    assertThat(latest(registry)).isEqualTo(100);
  }

  @Test
  void cancelRemovesTheInstanceAndReturnsIt() {
    Instance h1 = registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 101);

    assertThat(registry.cancel(new InstanceKey(ENV, APPID, "h1"), 200)).contains(h1);

    Application app = registry.application(ENV, APPID).orElseThrow();
    assertThat(app.instance("h1")).isNull();
    assertThat(app.instance("h2")).isNotNull();
  }

  @Test
  void cancelOfLastInstanceDropsTheApplication() {
    registry.register(spec("h1"), 100);

    registry.cancel(new InstanceKey(ENV, APPID, "h1"), 200);

    assertThat(registry.application(ENV, APPID)).isEmpty();
    assertThat(registry.applicationCount()).isZero();
    assertThat(registry.fetch(ENV, APPID, null, Status.ANY, 0).outcome())
        .isEqualTo(Fetch.Outcome.NOT_FOUND);
  }

  @Test
  void cancelBumpsLatestTimestampWhenApplicationRemains() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 101);

    registry.cancel(new InstanceKey(ENV, APPID, "h1"), 200);

    assertThat(latest(registry)).isEqualTo(200);
  }

  @Test
  void cancelDecrementsInstanceCount() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 101);

    registry.cancel(new InstanceKey(ENV, APPID, "h1"), 200);
    assertThat(registry.instanceCount()).isEqualTo(1);

    registry.cancel(new InstanceKey(ENV, APPID, "h2"), 201);
    assertThat(registry.instanceCount()).isZero();
  }

  @Test
  void secondCancelOfSameInstanceIsNotFound() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 101);
    registry.cancel(new InstanceKey(ENV, APPID, "h1"), 200);

    assertThat(registry.cancel(new InstanceKey(ENV, APPID, "h1"), 300)).isEmpty();
    assertThat(registry.instanceCount()).isEqualTo(1);
  }

  @Test
  void registerAfterCancelIsANewInstanceWithFreshRegTimestamp() {
    registry.register(spec("h1"), 100);
    registry.cancel(new InstanceKey(ENV, APPID, "h1"), 200);

    Instance again = registry.register(spec("h1"), 300);

    assertThat(again.regTimestamp()).isEqualTo(300);
    assertThat(registry.instanceCount()).isEqualTo(1);
  }
}
