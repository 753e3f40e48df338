package dev.roster.node.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The registry nodes' own entries renew on their own schedule and must not sway self-protection.
 */
class UnguardedApplicationTest {
  private final Registry registry =
      new Registry(GuardPolicy.DEFAULT, key -> !key.appid().equals("infra.discovery"));

  private void register(String appid, String host) {
    registry.register(
        new InstanceSpec("z", "dev", appid, host, List.of("http://h:1"), "", Status.UP, Map.of()),
        1);
  }

  @Test
  void unguardedInstancesAreNotExpectedToRenew() {
    register("infra.discovery", "node1");
    register("app", "h1");
    assertThat(registry.instanceCount()).isEqualTo(2);
    assertThat(registry.guardedInstanceCount()).isEqualTo(1);
    assertThat(registry.expectedRenews()).isEqualTo(2);
    assertThat(registry.renewThreshold()).isEqualTo(1);
  }

  @Test
  void renewsOfUnguardedInstancesDoNotCount() {
    register("infra.discovery", "node1");
    register("app", "h1");
    for (int i = 0; i < 50; i++) {
      registry.renew(new InstanceKey("dev", "infra.discovery", "node1"), 2 + i);
    }
    registry.rollGuardWindow();
    assertThat(registry.guard().renewsLastWindow()).isZero();
    assertThat(registry.protecting()).isTrue();
  }

  @Test
  void removingUnguardedInstancesKeepsTheGuardedCount() {
    register("infra.discovery", "node1");
    register("app", "h1");
    registry.cancel(new InstanceKey("dev", "infra.discovery", "node1"), 5);
    assertThat(registry.guardedInstanceCount()).isEqualTo(1);
    registry.evict(List.of(new EvictTarget(new InstanceKey("dev", "app", "h1"), 1)), 6);
    assertThat(registry.guardedInstanceCount()).isZero();
    assertThat(registry.instanceCount()).isZero();
  }
}
