package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static dev.roster.node.model.Specs.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The eviction log as the registry's eviction checks feed it. */
class EvictionLogTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 1_000 * SECOND;
  private static final LogPosition AT = new LogPosition(42, 3);

  private final Registry registry = registry();

  private EvictionLog log() {
    return registry.evictionLog();
  }

  private static EvictionLog.Check check(boolean protecting, long renews, long threshold) {
    return new EvictionLog.Check(protecting, renews, threshold, 1000);
  }

  @Test
  void anEvictionIsLoggedWithTheInstanceItsLastRenewTheEntryAndTheReason() {
    Instance h1 = registry.register(spec("h1"), T0);
    registry.evict(List.of(EvictTarget.of(h1, EvictionReason.EXPIRED)), T0 + 100 * SECOND, AT);

    EvictionLog.Eviction e = log().evictions().get(0);
    assertThat(e.key()).isEqualTo(new InstanceKey(ENV, APPID, "h1"));
    assertThat(e.zone()).isEqualTo(h1.zone());
    assertThat(e.addrs()).isEqualTo(h1.addrs());
    assertThat(e.lastRenew()).isEqualTo(T0);
    assertThat(e.evictedAt()).isEqualTo(T0 + 100 * SECOND);
    assertThat(e.at()).isEqualTo(AT);
    assertThat(e.reason()).isEqualTo(EvictionReason.EXPIRED);
    assertThat(log().total(EvictionReason.EXPIRED)).isEqualTo(1);
    assertThat(log().total(EvictionReason.PAST_CEILING)).isZero();
  }

  @Test
  void aTargetThatRenewedSinceTheLeaderChoseItIsNeitherEvictedNorLogged() {
    Instance h1 = registry.register(spec("h1"), T0);
    registry.renew(h1.key(), T0 + SECOND);

    registry.evict(List.of(EvictTarget.of(h1, EvictionReason.EXPIRED)), T0 + 2 * SECOND, AT);

    assertThat(stored(registry, "h1")).isNotNull();
    assertThat(log().evictions()).isEmpty();
    assertThat(log().total(EvictionReason.EXPIRED)).isZero();
  }

  @Test
  void protectionChangesAreLoggedWithTheRenewsAndThresholdThatDecidedThem() {
    registry.recordCheck(check(false, 10, 8), T0, AT);
    assertThat(log().changes()).as("starting off is no change").isEmpty();
    assertThat(log().protecting()).isFalse();
    assertThat(log().protectingSince()).isEqualTo(T0);

    registry.recordCheck(check(false, 10, 8), T0 + SECOND, AT);
    registry.recordCheck(check(true, 3, 8), T0 + 2 * SECOND, new LogPosition(50, 4));
    registry.recordCheck(check(true, 2, 8), T0 + 3 * SECOND, AT);
    registry.recordCheck(check(false, 9, 8), T0 + 4 * SECOND, new LogPosition(60, 4));

    assertThat(log().changes())
        .containsExactly(
            new EvictionLog.ProtectionChange(
                1, true, T0 + 2 * SECOND, 3, 8, new LogPosition(50, 4)),
            new EvictionLog.ProtectionChange(
                2, false, T0 + 4 * SECOND, 9, 8, new LogPosition(60, 4)));
    assertThat(log().protecting()).isFalse();
    assertThat(log().protectingSince()).isEqualTo(T0 + 4 * SECOND);
    assertThat(log().windows()).hasSize(5);
    assertThat(log().windows().get(2))
        .isEqualTo(new EvictionLog.Window(T0 + 2 * SECOND, 3, 8, true));
  }

  @Test
  void aRegistryStartingProtectedLogsTheChangeOn() {
    registry.recordCheck(check(true, 0, 5), T0, AT);

    assertThat(log().changes()).hasSize(1);
    assertThat(log().changes().get(0).on()).isTrue();
  }

  @Test
  void windowsOlderThanAnHourAreDropped() {
    for (int i = 0; i <= 61; i++) {
      registry.recordCheck(check(false, i, 0), T0 + i * 60 * SECOND, AT);
    }

    List<EvictionLog.Window> windows = log().windows();
    assertThat(windows.get(0).ts()).isEqualTo(T0 + 60 * SECOND);
    assertThat(windows.get(windows.size() - 1).renews()).isEqualTo(61);
    assertThat(windows).hasSize(61);
  }

  @Test
  void windowsAreBoundedInCountWhateverTheInterval() {
    for (int i = 0; i < EvictionLog.MAX_WINDOWS + 50; i++) {
      registry.recordCheck(check(false, i, 0), T0 + i * 1_000_000L, AT);
    }

    assertThat(log().windows()).hasSize(EvictionLog.MAX_WINDOWS);
    assertThat(log().windows().get(0).renews()).isEqualTo(50);
  }

  @Test
  void theLogKeepsTheLastCapacityEvictionsAndTheCheckSetsTheCapacity() {
    registry.recordCheck(new EvictionLog.Check(false, 0, 0, 3), T0, AT);
    for (int i = 0; i < 5; i++) {
      Instance h = registry.register(spec("h" + i), T0);
      registry.evict(List.of(EvictTarget.of(h, EvictionReason.EXPIRED)), T0 + SECOND + i, AT);
    }

    assertThat(log().evictions())
        .extracting(e -> e.key().hostname())
        .containsExactly("h2", "h3", "h4");
    assertThat(log().total(EvictionReason.EXPIRED)).as("totals count every eviction").isEqualTo(5);

    registry.recordCheck(new EvictionLog.Check(false, 0, 0, 1), T0 + 10 * SECOND, AT);
    assertThat(log().evictions()).extracting(e -> e.key().hostname()).containsExactly("h4");
  }

  @Test
  void seqOrdersEvictionsAndProtectionChangesTogether() {
    Instance h1 = registry.register(spec("h1"), T0);
    registry.recordCheck(check(true, 0, 5), T0 + SECOND, AT);
    registry.evict(List.of(EvictTarget.of(h1, EvictionReason.PAST_CEILING)), T0 + SECOND, AT);

    assertThat(log().changes().get(0).seq()).isLessThan(log().evictions().get(0).seq());
  }

  @Test
  void stateRestoresExactly() {
    Instance h1 = registry.register(spec("h1"), T0);
    registry.recordCheck(check(true, 1, 5), T0 + SECOND, AT);
    registry.evict(List.of(EvictTarget.of(h1, EvictionReason.PAST_CEILING)), T0 + SECOND, AT);

    Registry other = registry();
    other.restoreEvictionLog(log().state());

    assertThat(other.evictionLog().state()).isEqualTo(log().state());
    assertThat(other.evictionLog().state().isEmpty()).isFalse();
    assertThat(registry().evictionLog().state().isEmpty()).isTrue();
  }

  @Test
  void aCheckCarriesAValidCapacity() {
    assertThatThrownBy(() -> new EvictionLog.Check(false, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
    assertThatThrownBy(() -> new EvictionLog.Check(false, 0, 0, EvictionLog.MAX_CAPACITY + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
