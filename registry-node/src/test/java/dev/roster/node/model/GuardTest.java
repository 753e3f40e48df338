package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GuardTest {
  private final Registry registry = registry();

  private void registerHosts(int n) {
    for (int k = 0; k < n; k++) {
      registry.register(spec("h" + k), 100 + k);
    }
  }

  private void renewTimes(int n) {
    for (int k = 0; k < n; k++) {
      registry.renew(new InstanceKey(ENV, APPID, "h0"), 1_000 + k);
    }
  }

  private boolean protecting() {
    return registry.guard().protecting(registry.instanceCount());
  }

  @Test
  void policyOfSixtySecondCheckAndThirtySecondRenewOwesTwoRenewsPerWindow() {
    GuardPolicy p = GuardPolicy.of(60_000, 30_000, 0.85);

    assertThat(p.renewsPerInstancePerWindow()).isEqualTo(2);
    assertThat(p.threshold()).isEqualTo(0.85);
    assertThat(p).isEqualTo(GuardPolicy.DEFAULT);
  }

  @Test
  void policyWithCheckShorterThanRenewStillOwesOneRenew() {
    assertThat(GuardPolicy.of(10_000, 30_000, 0.85).renewsPerInstancePerWindow()).isEqualTo(1);
  }

  @Test
  void policyRejectsThresholdOutsideZeroToOne() {
    assertThatThrownBy(() -> new GuardPolicy(2, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GuardPolicy(2, 1.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GuardPolicy(2, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GuardPolicy(0, 0.85)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void expectedRenewsAreInstancesTimesRenewsPerWindow() {
    registerHosts(10);

    assertThat(registry.guard().expectedRenews(registry.instanceCount())).isEqualTo(20);
  }

  @Test
  void expectedRenewsFallWhenInstancesCancel() {
    registerHosts(10);
    for (int k = 0; k < 4; k++) {
      registry.cancel(new InstanceKey(ENV, APPID, "h" + k), 500);
    }

    assertThat(registry.guard().expectedRenews(registry.instanceCount())).isEqualTo(12);
  }

  @Test
  void expectedRenewsAreNotAccumulatedByRepeatedRegisters() {
    for (int k = 0; k < 5; k++) {
      registry.register(spec("h0"), 100 + k);
    }

    assertThat(registry.guard().expectedRenews(registry.instanceCount())).isEqualTo(2);
  }

  @Test
  void thresholdIsExpectedTimesFractionRoundedDown() {
    Guard g = registry.guard();

    assertThat(g.threshold(10)).isEqualTo(17); // 20 * 0.85 = 17.0
    assertThat(g.threshold(3)).isEqualTo(5); // 6 * 0.85 = 5.1
    assertThat(g.threshold(1)).isEqualTo(1); // 2 * 0.85 = 1.7
    assertThat(g.threshold(0)).isZero();
  }

  @Test
  void protectingWhenLastWindowRenewsFallBelowThreshold() {
    registerHosts(10); // threshold 17
    renewTimes(16);
    registry.rollGuardWindow();

    assertThat(protecting()).isTrue();
  }

  @Test
  void notProtectingWhenLastWindowRenewsReachThreshold() {
    registerHosts(10);
    renewTimes(17);
    registry.rollGuardWindow();

    assertThat(protecting()).isFalse();
  }

  @Test
  void renewsOfTheCurrentWindowDoNotCountUntilItIsRolled() {
    registerHosts(10);
    renewTimes(20);

    assertThat(registry.guard().renewsThisWindow()).isEqualTo(20);
    assertThat(registry.guard().renewsLastWindow()).isZero();
    assertThat(protecting()).isTrue();
  }

  @Test
  void rollMovesThisWindowToLastWindowAndStartsAtZero() {
    registerHosts(1);
    renewTimes(3);

    registry.rollGuardWindow();
    assertThat(registry.guard().renewsLastWindow()).isEqualTo(3);
    assertThat(registry.guard().renewsThisWindow()).isZero();

    renewTimes(1);
    registry.rollGuardWindow();
    assertThat(registry.guard().renewsLastWindow()).isEqualTo(1);
    assertThat(registry.guard().renewsThisWindow()).isZero();
  }

  @Test
  void protectionEndsWhenInstancesGoAwayBecauseExpectedRenewsFollowTheCount() {
    registerHosts(100); // expected 200, threshold 170
    renewTimes(10);
    registry.rollGuardWindow();
    assertThat(protecting()).isTrue();

    for (int k = 5; k < 100; k++) {
      registry.cancel(new InstanceKey(ENV, APPID, "h" + k), 2_000);
    }
    renewTimes(10);
    registry.rollGuardWindow();

    // 5 instances: expected 10, threshold 8; 10 renews seen (Eureka would still protect)
    assertThat(protecting()).isFalse();
  }

  @Test
  void emptyRegistryIsNotProtecting() {
    assertThat(protecting()).isFalse();
  }
}
