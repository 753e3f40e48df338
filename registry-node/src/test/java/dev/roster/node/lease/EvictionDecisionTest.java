package dev.roster.node.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Registry;
import dev.roster.node.model.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvictionDecisionTest {
  private static final long S = 1_000_000_000L;
  private static final EvictionPolicy POLICY =
      new EvictionPolicy(Duration.ofSeconds(60), Duration.ofSeconds(90), Duration.ofHours(1), 0.15);

  private final Registry registry = new Registry(GuardPolicy.DEFAULT);

  private void register(String host, long ts) {
    registry.register(
        new InstanceSpec("z", "dev", "app", host, List.of("http://h:1"), "", Status.UP, Map.of()),
        ts);
  }

  /**
   * n instances registered at t=0; {@code fresh} of them renewed at {@code renewAt}, twice each.
   */
  private void populate(int n, int fresh, long renewAt) {
    for (int i = 0; i < n; i++) {
      register("h" + i, 0);
    }
    for (int i = 0; i < fresh; i++) {
      registry.renew(new InstanceKey("dev", "app", "h" + i), renewAt);
      registry.renew(new InstanceKey("dev", "app", "h" + i), renewAt);
    }
  }

  private static Set<String> hosts(List<EvictTarget> targets) {
    Set<String> s = new HashSet<>();
    targets.forEach(t -> s.add(t.key().hostname()));
    return s;
  }

  @Test
  void expiredInstancesAreTargetedWithTheRenewTimestampTheLeaderSaw() {
    populate(10, 9, 100 * S);
    EvictionDecision d = EvictionDecision.decide(registry, 120 * S, false, POLICY, new Random(1));
    assertThat(d.protecting()).isFalse();
    assertThat(d.expired()).isEqualTo(1);
    assertThat(d.targets())
        .containsExactly(
            new EvictTarget(new InstanceKey("dev", "app", "h9"), 0, EvictionReason.EXPIRED));
  }

  @Test
  void aRenewingInstanceIsNeverATarget() {
    populate(10, 9, 100 * S);
    EvictionDecision d = EvictionDecision.decide(registry, 120 * S, false, POLICY, new Random(2));
    assertThat(hosts(d.targets()))
        .doesNotContain("h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8");
  }

  @Test
  void oneCheckEvictsAtMostFifteenPercent() {
    populate(100, 60, 100 * S);
    for (int i = 0; i < 60; i++) {
      registry.renew(new InstanceKey("dev", "app", "h" + i), 100 * S);
    }
    // 60 x 3 = 180 renews >= threshold floor(200 x 0.85) = 170: no protection
    EvictionDecision d = EvictionDecision.decide(registry, 120 * S, false, POLICY, new Random(3));
    assertThat(d.protecting()).isFalse();
    assertThat(d.expired()).isEqualTo(40);
    assertThat(d.targets()).hasSize(15);
  }

  @Test
  void capLetsASmallRegistryLoseOneInstancePerCheck() {
    assertThat(POLICY.cap(1)).isEqualTo(1);
    assertThat(POLICY.cap(3)).isEqualTo(1);
    assertThat(POLICY.cap(20)).isEqualTo(3);
    assertThat(POLICY.cap(100)).isEqualTo(15);
    assertThat(POLICY.cap(0)).isZero();
  }

  @Test
  void selfProtectionSparesExpiredInstancesBelowTheCeiling() {
    populate(10, 2, 100 * S); // 4 renews < threshold 17
    EvictionDecision d = EvictionDecision.decide(registry, 120 * S, false, POLICY, new Random(4));
    assertThat(d.protecting()).isTrue();
    assertThat(d.expired()).isEqualTo(8);
    assertThat(d.targets()).isEmpty();
  }

  @Test
  void theCeilingEvictsEvenUnderSelfProtection() {
    populate(10, 2, 3700 * S); // h2..h9 last renewed at 0, more than 1 h before now
    EvictionDecision d = EvictionDecision.decide(registry, 3700 * S, false, POLICY, new Random(5));
    assertThat(d.protecting()).isTrue();
    assertThat(d.targets()).hasSize((int) POLICY.cap(10));
    assertThat(hosts(d.targets())).doesNotContain("h0", "h1");
  }

  @Test
  void nothingIsEvictedDuringTheGracePeriodOfANewLeader() {
    populate(10, 9, 100 * S);
    EvictionDecision d = EvictionDecision.decide(registry, 5000 * S, true, POLICY, new Random(6));
    assertThat(d.targets()).isEmpty();
  }

  @Test
  void anEmptyRegistryIsNotProtected() {
    EvictionDecision d = EvictionDecision.decide(registry, 120 * S, false, POLICY, new Random(7));
    assertThat(d.protecting()).isFalse();
    assertThat(d.targets()).isEmpty();
  }

  @Test
  void randomChoiceReachesEveryCandidate() {
    // 20 instances, all expired but renews high enough: cap 3 of 20 per check; over many
    // draws every candidate must be picked at least once (no instance is always spared)
    populate(20, 0, 0);
    for (int i = 0; i < 40; i++) {
      registry.renew(new InstanceKey("dev", "app", "h" + (i % 20)), 0);
    }
    Set<String> seen = new HashSet<>();
    Random random = new Random(8);
    for (int round = 0; round < 200; round++) {
      seen.addAll(
          hosts(EvictionDecision.decide(registry, 1000 * S, false, POLICY, random).targets()));
    }
    assertThat(seen).hasSize(20);
  }

  @Test
  void shuffleIsAPermutation() {
    List<Integer> list = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      list.add(i);
    }
    EvictionDecision.shuffle(list, new Random(9));
    assertThat(list)
        .containsExactlyInAnyOrderElementsOf(
            java.util.stream.IntStream.range(0, 50).boxed().toList());
    assertThat(list).isNotEqualTo(java.util.stream.IntStream.range(0, 50).boxed().toList());
  }
}
