package dev.roster.node.command;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static dev.roster.node.model.Specs.withLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.model.AppKey;
import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import dev.roster.node.model.RecentChanges;
import dev.roster.node.model.Registry;
import dev.roster.node.model.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EUREKA_REGISTER and EUREKA_STATUS applied: the status override and Roster's status rule. */
class EurekaCommandApplyTest {
  private static final Lease LEASE = new Lease(30_000, 90_000);
  private static final InstanceKey H1 = new InstanceKey(ENV, APPID, "h1");

  private final Registry registry = registry();

  /** A Eureka client's register with its own status; the spec's Roster status says nothing. */
  private static InstanceSpec eureka(String hostname, String clientStatus) {
    return withLease(
        spec(hostname, Status.WAITING),
        LEASE,
        Map.of(
            EurekaFields.STATUS, clientStatus,
            EurekaFields.LAST_DIRTY_TIMESTAMP, "1700000000000",
            EurekaFields.INSTANCE, "{\"app\":\"MAIN.WEB.SVC\"}"));
  }

  private ApplyResult<Instance> register(long ts, String clientStatus) {
    return new EurekaRegisterCommand(ts, eureka("h1", clientStatus)).applyTo(registry);
  }

  private ApplyResult<Instance> override(long ts, String status) {
    return new EurekaStatusCommand(ts, H1, status).applyTo(registry);
  }

  private Instance h1() {
    return registry.instance(H1).orElseThrow();
  }

  @Test
  void aRegisterWithClientStatusUpIsUpAndStoresTheLeaseAndExtensions() {
    ApplyResult<Instance> r = register(100, "UP");

    assertThat(r.isOk()).isTrue();
    assertThat(r.value()).isEqualTo(h1());
    assertThat(r.changed()).containsExactly(new AppKey(ENV, APPID));
    assertThat(h1().status()).as("the client's status, not the spec's").isEqualTo(Status.UP);
    assertThat(h1().lease()).isEqualTo(LEASE);
    assertThat(h1().extensions())
        .isEqualTo(eureka("h1", "UP").extensions())
        .doesNotContainKey(EurekaFields.OVERRIDDEN_STATUS);
    assertThat(EurekaFields.isEureka(h1())).isTrue();
  }

  @Test
  void aClientStatusOtherThanUpWithoutAnOverrideIsWaiting() {
    for (String status : List.of("DOWN", "STARTING", "OUT_OF_SERVICE", "UNKNOWN")) {
      register(100, status);

      assertThat(h1().status()).as(status).isEqualTo(Status.WAITING);
      assertThat(h1().extensions()).containsEntry(EurekaFields.STATUS, status);
    }
  }

  @Test
  void anOverrideOutOfServiceMakesAnUpInstanceWaiting() {
    register(100, "UP");

    ApplyResult<Instance> r = override(200, "OUT_OF_SERVICE");

    assertThat(r.isOk()).isTrue();
    assertThat(r.value()).isEqualTo(h1());
    assertThat(r.changed()).containsExactly(new AppKey(ENV, APPID));
    assertThat(h1().status()).isEqualTo(Status.WAITING);
    assertThat(h1().extensions())
        .containsEntry(EurekaFields.OVERRIDDEN_STATUS, "OUT_OF_SERVICE")
        .containsEntry(EurekaFields.STATUS, "UP");
    assertThat(h1().dirtyTimestamp()).isEqualTo(200);
    assertThat(h1().latestTimestamp()).isEqualTo(200);
    assertThat(h1().upTimestamp()).isEqualTo(100);
    assertThat(h1().renewTimestamp()).as("a status change is no renew").isEqualTo(100);
    assertThat(registry.application(ENV, APPID).orElseThrow().latestTimestamp()).isEqualTo(200);
  }

  @Test
  void aLaterRegisterWithClientStatusUpKeepsTheOverrideAndWaiting() {
    register(100, "UP");
    override(200, "OUT_OF_SERVICE");

    ApplyResult<Instance> r = register(300, "UP");

    assertThat(r.value()).isEqualTo(h1());
    assertThat(h1().status()).isEqualTo(Status.WAITING);
    assertThat(h1().extensions())
        .containsEntry(EurekaFields.OVERRIDDEN_STATUS, "OUT_OF_SERVICE")
        .containsEntry(EurekaFields.STATUS, "UP");
    assertThat(h1().regTimestamp()).as("a repeated register").isEqualTo(100);
    assertThat(h1().renewTimestamp()).isEqualTo(300);
  }

  @Test
  void deletingTheOverrideMakesTheInstanceUpAgainAndMovesItsUpTimestamp() {
    register(100, "UP");
    override(200, "OUT_OF_SERVICE");
    register(300, "UP");

    ApplyResult<Instance> r = override(400, null);

    assertThat(r.isOk()).isTrue();
    assertThat(r.changed()).containsExactly(new AppKey(ENV, APPID));
    assertThat(h1().status()).isEqualTo(Status.UP);
    assertThat(h1().extensions()).doesNotContainKey(EurekaFields.OVERRIDDEN_STATUS);
    assertThat(h1().upTimestamp()).isEqualTo(400);

    register(500, "UP");
    assertThat(h1().status()).as("no override left to keep").isEqualTo(Status.UP);
  }

  @Test
  void deletingTheOverrideLeavesTheClientsOwnStatus() {
    register(100, "DOWN");
    override(200, "UP");
    assertThat(h1().status()).as("the override wins").isEqualTo(Status.UP);

    override(300, null);

    assertThat(h1().status()).isEqualTo(Status.WAITING);
  }

  @Test
  void anOverrideUpWinsOverTheClientsLaterDown() {
    register(100, "STARTING");
    override(200, "UP");

    register(300, "DOWN");

    assertThat(h1().status()).isEqualTo(Status.UP);
    assertThat(h1().extensions())
        .containsEntry(EurekaFields.STATUS, "DOWN")
        .containsEntry(EurekaFields.OVERRIDDEN_STATUS, "UP");
  }

  @Test
  void anOverrideOfAnotherInstanceIsNotKept() {
    register(100, "UP");
    override(200, "OUT_OF_SERVICE");

    new EurekaRegisterCommand(300, eureka("h2", "UP")).applyTo(registry);

    Instance h2 = registry.instance(new InstanceKey(ENV, APPID, "h2")).orElseThrow();
    assertThat(h2.status()).isEqualTo(Status.UP);
    assertThat(h2.extensions()).doesNotContainKey(EurekaFields.OVERRIDDEN_STATUS);
  }

  @Test
  void aCancelledInstanceLosesItsOverride() {
    register(100, "UP");
    override(200, "OUT_OF_SERVICE");
    new CancelCommand(300, H1).applyTo(registry);

    register(400, "UP");

    assertThat(h1().status()).isEqualTo(Status.UP);
    assertThat(h1().regTimestamp()).isEqualTo(400);
  }

  @Test
  void aStatusCommandOnAnUnknownInstanceIsNotFoundAndChangesNothing() {
    assertThat(override(100, "OUT_OF_SERVICE")).isEqualTo(ApplyResult.notFound());
    assertThat(registry.applicationCount()).isZero();
    assertThat(registry.recentChanges().size()).isZero();

    register(200, "UP");
    Instance before = h1();
    ApplyResult<Instance> r =
        new EurekaStatusCommand(300, new InstanceKey(ENV, APPID, "h2"), "OUT_OF_SERVICE")
            .applyTo(registry);
    ApplyResult<Instance> otherEnv =
        new EurekaStatusCommand(300, new InstanceKey("uat", APPID, "h1"), null).applyTo(registry);

    assertThat(r).isEqualTo(ApplyResult.notFound());
    assertThat(r.changed()).isEmpty();
    assertThat(otherEnv).isEqualTo(ApplyResult.notFound());
    assertThat(h1()).isEqualTo(before);
    assertThat(registry.instanceCount()).isEqualTo(1);
    assertThat(registry.application(ENV, APPID).orElseThrow().latestTimestamp()).isEqualTo(200);
    assertThat(registry.recentChanges().all())
        .extracting(RecentChanges.Change::ts)
        .containsExactly(200L);
  }

  @Test
  void bothCommandsAreRecentChanges() {
    register(100, "UP");
    override(200, "OUT_OF_SERVICE");

    RecentChanges.Change last = List.copyOf(registry.recentChanges().all()).get(0);
    // added and changed within the window: still ADDED, with the overridden state
    assertThat(last.action()).isEqualTo(RecentChanges.Action.ADDED);
    assertThat(last.ts()).isEqualTo(200);
    assertThat(last.instance()).isEqualTo(h1());
  }

  @Test
  void anEurekaInstancesLeaseCountsForSelfProtection() {
    new EurekaRegisterCommand(
            100,
            withLease(
                eureka("h1", "UP"), new Lease(5_000, 15_000), eureka("h1", "UP").extensions()))
        .applyTo(registry);
    register(200, "UP"); // re-registered with the 30 s lease

    assertThat(registry.expectedRenews()).isEqualTo(2);
  }

  @Test
  void anEmptyOverrideIsRejectedAtConstruction() {
    assertThatThrownBy(() -> new EurekaStatusCommand(1, H1, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EurekaStatusCommand(1, null, "UP"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new EurekaRegisterCommand(1, null))
        .isInstanceOf(NullPointerException.class);
  }
}
