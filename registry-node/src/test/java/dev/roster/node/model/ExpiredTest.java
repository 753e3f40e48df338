package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpiredTest {
  private static final long EXPIRE = 90;
  private final Registry registry = registry();

  @Test
  void expiredListsExactlyInstancesRenewedMoreThanExpireAgo() {
    registry.register(spec("older"), 100); // now - renew = 101 > 90
    registry.register(spec("just-over"), 110); // 91 > 90
    registry.register(spec("exactly"), 111); // 90, not more
    registry.register(spec("fresh"), 180);

    assertThat(registry.expired(201, EXPIRE))
        .extracting(Instance::hostname)
        .containsExactlyInAnyOrder("older", "just-over");
  }

  @Test
  void renewedInstanceIsNoLongerExpired() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 100);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 150);

    assertThat(registry.expired(220, EXPIRE)).extracting(Instance::hostname).containsExactly("h2");
  }

  @Test
  void expiredSpansAllApplicationsAndEnvs() {
    registry.register(spec("z", "app.a", "h1", Status.UP), 100);
    registry.register(spec("z", "app.b", "h1", Status.WAITING), 100);
    registry.register(spec("z", "app.b", "h2", Status.UP), 500);

    assertThat(registry.expired(300, EXPIRE))
        .extracting(Instance::appid)
        .containsExactlyInAnyOrder("app.a", "app.b");
  }

  @Test
  void expiredReturnsTheStoredInstancesSoTheirRenewTimestampCanBeTargeted() {
    registry.register(spec("h1"), 100);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 120);

    assertThat(registry.expired(300, EXPIRE))
        .singleElement()
        .extracting(Instance::renewTimestamp)
        .isEqualTo(120L);
  }

  @Test
  void emptyRegistryHasNothingExpired() {
    assertThat(registry.expired(Long.MAX_VALUE / 2, EXPIRE)).isEmpty();
  }
}
