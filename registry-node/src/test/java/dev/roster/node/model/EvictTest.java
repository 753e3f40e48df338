package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.latest;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvictTest {
  private final Registry registry = registry();

  @Test
  void evictRemovesInstanceWhoseRenewTimestampIsStillTheOneTheLeaderSaw() {
    Instance h1 = registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 101);

    List<Instance> evicted = registry.evict(List.of(EvictTarget.of(h1)), 500);

    assertThat(evicted).containsExactly(h1);
    assertThat(registry.application(ENV, APPID).orElseThrow().instance("h1")).isNull();
    assertThat(registry.instanceCount()).isEqualTo(1);
  }

  @Test
  void instanceRenewedAfterTheLeaderChoseItSurvivesEviction() {
    Instance h1 = registry.register(spec("h1"), 100);
    Instance h2 = registry.register(spec("h2"), 100);
    List<EvictTarget> chosen = List.of(EvictTarget.of(h1), EvictTarget.of(h2));
    // wins the race against the evict command
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 450);

    List<Instance> evicted = registry.evict(chosen, 500);

    assertThat(evicted).containsExactly(h2);
    Application app = registry.application(ENV, APPID).orElseThrow();
    assertThat(app.instance("h1")).isNotNull();
    assertThat(app.instance("h1").renewTimestamp()).isEqualTo(450);
    assertThat(registry.instanceCount()).isEqualTo(1);
  }

  @Test
  void instanceReregisteredAfterTheLeaderChoseItSurvivesEviction() {
    Instance h1 = registry.register(spec("h1"), 100);
    EvictTarget chosen = EvictTarget.of(h1);
    registry.register(spec("h1"), 450);

    assertThat(registry.evict(List.of(chosen), 500)).isEmpty();
    assertThat(registry.instanceCount()).isEqualTo(1);
  }

  @Test
  void evictOfInstanceAlreadyGoneIsIgnored() {
    Instance h1 = registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 100);
    registry.cancel(new InstanceKey(ENV, APPID, "h1"), 200);
    long latestBefore = latest(registry);

    assertThat(registry.evict(List.of(EvictTarget.of(h1)), 500)).isEmpty();
    assertThat(registry.instanceCount()).isEqualTo(1);
    assertThat(latest(registry)).isEqualTo(latestBefore);
  }

  @Test
  void evictOfUnknownApplicationIsIgnored() {
    assertThat(
            registry.evict(List.of(new EvictTarget(new InstanceKey(ENV, APPID, "h1"), 100)), 500))
        .isEmpty();
  }

  @Test
  void evictDropsApplicationThatBecomesEmpty() {
    Instance a = registry.register(spec("sh001", "app.a", "h1", Status.UP), 100);
    Instance b1 = registry.register(spec("sh001", "app.b", "h1", Status.UP), 100);
    registry.register(spec("sh001", "app.b", "h2", Status.UP), 100);

    List<Instance> evicted = registry.evict(List.of(EvictTarget.of(a), EvictTarget.of(b1)), 500);

    assertThat(evicted).containsExactly(a, b1);
    assertThat(registry.application(ENV, "app.a")).isEmpty();
    assertThat(registry.application(ENV, "app.b")).isPresent();
    assertThat(registry.applicationCount()).isEqualTo(1);
    assertThat(registry.instanceCount()).isEqualTo(1);
  }

  @Test
  void evictBumpsLatestTimestampOfApplicationThatRemains() {
    Instance h1 = registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 101);

    registry.evict(List.of(EvictTarget.of(h1)), 500);

    assertThat(latest(registry)).isEqualTo(500);
  }

  @Test
  void emptyEvictChangesNothing() {
    registry.register(spec("h1"), 100);

    assertThat(registry.evict(List.of(), 500)).isEmpty();
    assertThat(registry.instanceCount()).isEqualTo(1);
    assertThat(latest(registry)).isEqualTo(100);
  }

  @Test
  void evictTargetOfInstanceCarriesItsKeyAndRenewTimestamp() {
    Instance h1 = registry.register(spec("h1"), 100);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 300);

    EvictTarget t = EvictTarget.of(Specs.stored(registry, "h1"));

    assertThat(t)
        .isEqualTo(
            new EvictTarget(
                new InstanceKey(h1.env(), h1.appid(), h1.hostname()), 300, EvictionReason.EXPIRED));
  }
}
