package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.spec;
import static dev.roster.node.model.Specs.stored;
import static dev.roster.node.model.Specs.withLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Each instance's own lease: eviction by its duration, self-protection by its renew interval (the
 * renews it owes per window, summed over the guarded instances and kept without drift).
 */
class LeaseTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 1_000 * SECOND;

  /** The node's expire for instances of the default lease. */
  private static final long NODE_EXPIRE = 90 * SECOND;

  /** A 60 s window, 30 s default renew interval: a default instance owes 2 renews. */
  private static final GuardPolicy POLICY = GuardPolicy.of(60_000, 30_000, 0.85);

  private static final Lease EUREKA_DEFAULT = new Lease(30_000, 90_000);
  private static final Lease FAST = new Lease(5_000, 15_000); // owes 60 / 5 = 12

  private final Registry registry = new Registry(POLICY);

  private InstanceKey key(String hostname) {
    return new InstanceKey(ENV, APPID, hostname);
  }

  private List<String> expiredAt(long now) {
    return registry.expired(now, NODE_EXPIRE).stream().map(Instance::hostname).sorted().toList();
  }

  /** What the instances present owe, recomputed from scratch: what the kept sum must equal. */
  private static long owedFromScratch(Registry r, Predicate<AppKey> guarded) {
    long sum = 0;
    for (Application app : r.applications()) {
      if (!guarded.test(app.key())) {
        continue;
      }
      for (Instance i : app.instances()) {
        sum += r.guard().policy().renewsPerWindow(i.lease());
      }
    }
    return sum;
  }

  // ---- eviction by each instance's duration ----

  @Test
  void anInstanceWithA15SecondLeaseExpiresAfter15SecondsOneWithTheDefaultAfterTheNodesExpire() {
    registry.register(withLease(spec("fast"), FAST), T0);
    registry.register(spec("default"), T0);

    assertThat(expiredAt(T0 + 15 * SECOND)).as("exactly 15 s: not more").isEmpty();
    assertThat(expiredAt(T0 + 15 * SECOND + 1)).containsExactly("fast");
    assertThat(expiredAt(T0 + NODE_EXPIRE)).containsExactly("fast");
    assertThat(expiredAt(T0 + NODE_EXPIRE + 1)).containsExactly("default", "fast");
  }

  @Test
  void aLeaseLongerThanTheNodesExpireKeepsItsInstanceLonger() {
    registry.register(withLease(spec("slow"), new Lease(60_000, 240_000)), T0);
    registry.register(spec("default"), T0);

    assertThat(expiredAt(T0 + 200 * SECOND)).containsExactly("default");
    assertThat(expiredAt(T0 + 240 * SECOND + 1)).containsExactly("default", "slow");
  }

  @Test
  void aLeaseWithARenewIntervalButNoDurationExpiresAfterTheNodesExpire() {
    registry.register(withLease(spec("h1"), new Lease(5_000, 0)), T0);

    assertThat(expiredAt(T0 + NODE_EXPIRE)).isEmpty();
    assertThat(expiredAt(T0 + NODE_EXPIRE + 1)).containsExactly("h1");
  }

  @Test
  void aRenewPushesAShortLeaseBackByItsOwnDuration() {
    registry.register(withLease(spec("fast"), FAST), T0);
    registry.renew(key("fast"), T0 + 10 * SECOND);

    assertThat(expiredAt(T0 + 25 * SECOND)).isEmpty();
    assertThat(expiredAt(T0 + 25 * SECOND + 1)).containsExactly("fast");
  }

  @Test
  void aRepeatedRegisterReplacesTheLeaseAndRenewAndSetKeepIt() {
    registry.register(withLease(spec("h1"), FAST), T0);
    registry.renew(key("h1"), T0 + 1);
    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.WAITING, null)), T0 + 2);
    assertThat(stored(registry, "h1").lease()).isEqualTo(FAST);

    registry.register(spec("h1"), T0 + 3);

    assertThat(stored(registry, "h1").lease()).isEqualTo(Lease.DEFAULT);
    assertThat(expiredAt(T0 + 3 + 15 * SECOND + 1)).as("now the node's expire").isEmpty();
  }

  @Test
  void leaseRejectsNegativeValuesAndZeroMeansTheNodesSetting() {
    assertThatThrownBy(() -> new Lease(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Lease(0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new Lease(0, 0)).isEqualTo(Lease.DEFAULT);
    assertThat(Lease.DEFAULT.isDefault()).isTrue();
    assertThat(new Lease(30_000, 0).isDefault()).isFalse();
    assertThat(new Lease(0, 15_000).expireNanos(NODE_EXPIRE)).isEqualTo(15 * SECOND);
    assertThat(new Lease(5_000, 0).expireNanos(NODE_EXPIRE)).isEqualTo(NODE_EXPIRE);
  }

  @Test
  void aSpecWithoutALeaseOrExtensionsHasTheDefaultLeaseAndNoExtensions() {
    InstanceSpec s = withLease(spec("h1"), null, null);

    assertThat(s.lease()).isEqualTo(Lease.DEFAULT);
    assertThat(s.extensions()).isEmpty();
    assertThat(s).isEqualTo(spec("h1"));
  }

  // ---- self-protection: the renews each instance owes by its own interval ----

  @Test
  void renewsOwedPerWindowAreTheWindowOverTheLeasesIntervalAtLeastOne() {
    assertThat(POLICY.renewsPerWindow(Lease.DEFAULT)).isEqualTo(2);
    assertThat(POLICY.renewsPerWindow(new Lease(0, 15_000))).as("no interval").isEqualTo(2);
    assertThat(POLICY.renewsPerWindow(EUREKA_DEFAULT)).isEqualTo(2);
    assertThat(POLICY.renewsPerWindow(FAST)).isEqualTo(12);
    assertThat(POLICY.renewsPerWindow(new Lease(7_000, 0))).as("60 / 7 rounded down").isEqualTo(8);
    assertThat(POLICY.renewsPerWindow(new Lease(45_000, 0))).isEqualTo(1);
    assertThat(POLICY.renewsPerWindow(new Lease(120_000, 0))).as("at least one").isEqualTo(1);
    // a policy that does not know its window's length owes the default for every lease
    assertThat(new GuardPolicy(3, 0.85).renewsPerWindow(FAST)).isEqualTo(3);
  }

  @Test
  void expectedRenewsAreTheSumOfWhatEachInstanceOwesByItsLease() {
    registry.register(spec("default"), T0);
    registry.register(withLease(spec("fast"), FAST), T0);

    assertThat(registry.expectedRenews()).isEqualTo(2 + 12);
    assertThat(registry.renewThreshold()).as("14 * 0.85 = 11.9").isEqualTo(11);
    assertThat(registry.guardedInstanceCount()).isEqualTo(2);
  }

  @Test
  void protectionIsJudgedAgainstTheThresholdOfTheSummedLeases() {
    registry.register(spec("default"), T0);
    registry.register(withLease(spec("fast"), FAST), T0);
    for (int k = 0; k < 11; k++) {
      registry.renew(key("fast"), T0 + k);
    }
    registry.rollGuardWindow();
    assertThat(registry.protecting()).as("11 renews reach the threshold 11").isFalse();

    for (int k = 0; k < 10; k++) {
      registry.renew(key("fast"), T0 + 100 + k);
    }
    registry.rollGuardWindow();
    // by instance count alone (2 x 2 = 4 expected, threshold 3) 10 renews would be plenty
    assertThat(registry.protecting()).isTrue();
  }

  @Test
  void aRepeatedRegisterWithAnotherLeaseReplacesTheInstancesShareInsteadOfAddingToIt() {
    registry.register(spec("default"), T0);
    registry.register(withLease(spec("h1"), FAST), T0);
    assertThat(registry.expectedRenews()).isEqualTo(14);

    registry.register(withLease(spec("h1"), new Lease(10_000, 30_000)), T0 + 1);
    assertThat(registry.expectedRenews()).isEqualTo(2 + 6);

    registry.register(spec("h1"), T0 + 2);
    assertThat(registry.expectedRenews()).isEqualTo(2 + 2);

    for (int k = 0; k < 5; k++) {
      registry.register(withLease(spec("h1"), FAST), T0 + 3 + k);
    }
    assertThat(registry.expectedRenews()).isEqualTo(2 + 12);
    assertThat(registry.renewThreshold()).isEqualTo(11);
  }

  @Test
  void cancelTakesAwayExactlyTheCancelledInstancesShare() {
    registry.register(spec("default"), T0);
    registry.register(withLease(spec("fast"), FAST), T0);

    registry.cancel(key("fast"), T0 + 1);
    assertThat(registry.expectedRenews()).isEqualTo(2);

    registry.cancel(key("default"), T0 + 2);
    assertThat(registry.expectedRenews()).isZero();
    assertThat(registry.renewThreshold()).isZero();
    assertThat(registry.protecting()).isFalse();
  }

  @Test
  void evictionTakesAwayExactlyTheEvictedInstancesShareAndASurvivorKeepsIts() {
    Instance fast = registry.register(withLease(spec("fast"), FAST), T0);
    Instance other = registry.register(withLease(spec("other"), FAST), T0);
    registry.register(spec("default"), T0);
    registry.renew(key("other"), T0 + 5 * SECOND); // renewed after the leader chose it

    List<Instance> evicted =
        registry.evict(List.of(EvictTarget.of(fast), EvictTarget.of(other)), T0 + 20 * SECOND);

    assertThat(evicted).extracting(Instance::hostname).containsExactly("fast");
    assertThat(registry.expectedRenews()).isEqualTo(12 + 2);
  }

  @Test
  void statusChangesAndRenewsDoNotChangeWhatAnInstanceOwes() {
    registry.register(withLease(spec("fast"), FAST), T0);
    registry.renew(key("fast"), T0 + 1);
    registry.set(ENV, APPID, List.of(new SetChange("fast", Status.WAITING, Map.of())), T0 + 2);
    registry.changeStatus(
        key("fast"), Status.UP, Map.of(EurekaFields.STATUS, EurekaFields.UP), T0 + 3);

    assertThat(registry.expectedRenews()).isEqualTo(12);
  }

  @Test
  void unguardedApplicationsOweNothingWhateverTheirLease() {
    Registry r = new Registry(POLICY, k -> !k.appid().equals("roster.node"));
    r.register(withLease(spec("z", "roster.node", "n1", Status.UP), FAST), T0);
    r.register(withLease(spec("z", APPID, "h1", Status.UP), FAST), T0);

    assertThat(r.expectedRenews()).isEqualTo(12);
    r.register(spec("z", "roster.node", "n1", Status.UP), T0 + 1);
    r.cancel(new InstanceKey(ENV, "roster.node", "n1"), T0 + 2);
    assertThat(r.expectedRenews()).isEqualTo(12);
    assertThat(r.guardedInstanceCount()).isEqualTo(1);
  }

  @Test
  void restoringInstancesRebuildsTheSameExpectedRenewsAndRestoringOneTwiceCountsItOnce() {
    registry.register(spec("default"), T0);
    registry.register(withLease(spec("fast"), FAST), T0);
    registry.register(withLease(spec("slow"), new Lease(60_000, 180_000)), T0);

    Registry restored = new Registry(POLICY);
    for (Application app : registry.applications()) {
      app.instances().forEach(restored::restoreInstance);
    }
    assertThat(restored.expectedRenews()).isEqualTo(registry.expectedRenews()).isEqualTo(15);

    // the same instance again, now with the default lease: its share is replaced
    Instance fast = stored(registry, "fast");
    restored.restoreInstance(
        new Instance(
            fast.region(),
            fast.zone(),
            fast.env(),
            fast.appid(),
            fast.hostname(),
            fast.addrs(),
            fast.version(),
            fast.status(),
            fast.metadata(),
            fast.regTimestamp(),
            fast.upTimestamp(),
            fast.renewTimestamp(),
            fast.dirtyTimestamp(),
            fast.latestTimestamp(),
            Lease.DEFAULT,
            fast.extensions()));
    assertThat(restored.expectedRenews()).isEqualTo(2 + 2 + 1);
    assertThat(restored.instanceCount()).isEqualTo(3);
  }

  /**
   * Registers (new and repeated, with random leases), cancels, evictions, status changes and
   * restores in a random order: after every step the kept sum equals the sum recomputed from the
   * instances present.
   */
  @Test
  void expectedRenewsNeverDriftFromTheInstancesPresent() {
    Random random = new Random(15);
    List<Lease> leases =
        List.of(Lease.DEFAULT, FAST, EUREKA_DEFAULT, new Lease(7_000, 21_000), new Lease(0, 5));
    Registry r = new Registry(POLICY, k -> !k.appid().equals("unguarded"));
    long ts = T0;
    for (int step = 0; step < 5_000; step++) {
      ts += 1 + random.nextInt(3);
      String appid = random.nextInt(5) == 0 ? "unguarded" : APPID;
      String host = "h" + random.nextInt(20);
      InstanceKey key = new InstanceKey(ENV, appid, host);
      switch (random.nextInt(6)) {
        case 0, 1 ->
            r.register(
                withLease(
                    spec("z", appid, host, Status.UP), leases.get(random.nextInt(leases.size()))),
                ts);
        case 2 -> r.cancel(key, ts);
        case 3 -> {
          List<EvictTarget> targets = new ArrayList<>();
          r.instance(key).ifPresent(i -> targets.add(EvictTarget.of(i)));
          r.evict(targets, ts);
        }
        case 4 -> r.changeStatus(key, Status.WAITING, Map.of(), ts);
        default -> {
          // a restore may overwrite an instance with another lease
          int n = random.nextInt(leases.size());
          r.instance(key)
              .ifPresent(
                  i ->
                      r.restoreInstance(
                          new Instance(
                              i.region(),
                              i.zone(),
                              i.env(),
                              i.appid(),
                              i.hostname(),
                              i.addrs(),
                              i.version(),
                              i.status(),
                              i.metadata(),
                              i.regTimestamp(),
                              i.upTimestamp(),
                              i.renewTimestamp(),
                              i.dirtyTimestamp(),
                              i.latestTimestamp(),
                              leases.get(n),
                              i.extensions())));
        }
      }
      assertThat(r.expectedRenews())
          .as("step %d", step)
          .isEqualTo(owedFromScratch(r, app -> !app.appid().equals("unguarded")));
    }
    assertThat(r.instanceCount()).as("the run exercised a populated registry").isPositive();
  }
}
