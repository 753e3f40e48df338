package dev.roster.node.command;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.model.AppKey;
import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.Registry;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandApplyTest {
  private final Registry registry = registry();

  private Instance stored(String hostname) {
    return registry.application(ENV, APPID).orElseThrow().instance(hostname);
  }

  @Test
  void registerIsOkWithTheStoredInstance() {
    ApplyResult<Instance> r = new RegisterCommand(100, spec("h1")).applyTo(registry);

    assertThat(r.code()).isEqualTo(ApplyResult.Code.OK);
    assertThat(r.isOk()).isTrue();
    assertThat(r.value()).isEqualTo(stored("h1"));
    assertThat(r.value().regTimestamp()).isEqualTo(100);
    assertThat(r.changed()).containsExactly(new AppKey(ENV, APPID));
    assertThat(r.replayWeight()).isEqualTo(1);
  }

  @Test
  void renewOfUnknownInstanceIsNotFound() {
    ApplyResult<Instance> r =
        new RenewCommand(100, new InstanceKey(ENV, APPID, "h1")).applyTo(registry);

    assertThat(r.code()).isEqualTo(ApplyResult.Code.NOT_FOUND);
    assertThat(r.isOk()).isFalse();
    assertThat(r.value()).isNull();
  }

  @Test
  void renewOfKnownInstanceIsOkWithTheRenewedInstance() {
    registry.register(spec("h1"), 100);

    ApplyResult<Instance> r =
        new RenewCommand(200, new InstanceKey(ENV, APPID, "h1")).applyTo(registry);

    assertThat(r.isOk()).isTrue();
    assertThat(r.value()).isEqualTo(stored("h1"));
    assertThat(r.value().renewTimestamp()).isEqualTo(200);
    // a heartbeat changes nothing pollers see
    assertThat(r.changed()).isEmpty();
  }

  @Test
  void cancelOfUnknownInstanceIsNotFound() {
    assertThat(new CancelCommand(100, new InstanceKey(ENV, APPID, "h1")).applyTo(registry))
        .isEqualTo(ApplyResult.notFound());
  }

  @Test
  void cancelOfKnownInstanceIsOkWithTheRemovedInstance() {
    Instance h1 = registry.register(spec("h1"), 100);

    assertThat(new CancelCommand(200, new InstanceKey(ENV, APPID, "h1")).applyTo(registry))
        .isEqualTo(ApplyResult.ok(h1).changing(Set.of(h1.appKey())));
    assertThat(registry.instanceCount()).isZero();
  }

  @Test
  void setWithUnknownHostnameIsNotFound() {
    registry.register(spec("h1", Status.WAITING), 100);
    SetCommand c =
        new SetCommand(
            200,
            ENV,
            APPID,
            List.of(new SetChange("h1", Status.UP, null), new SetChange("h2", Status.UP, null)));

    assertThat(c.applyTo(registry)).isEqualTo(ApplyResult.notFound());
    assertThat(stored("h1").status()).isEqualTo(Status.WAITING);
  }

  @Test
  void setOfKnownInstancesIsOkWithTheChangedInstances() {
    registry.register(spec("h1", Status.WAITING), 100);
    registry.register(spec("h2", Status.WAITING), 100);
    SetCommand c =
        new SetCommand(
            200,
            ENV,
            APPID,
            List.of(new SetChange("h1", Status.UP, null), new SetChange("h2", null, Map.of())));

    ApplyResult<List<Instance>> r = c.applyTo(registry);

    assertThat(r.isOk()).isTrue();
    assertThat(r.value()).isEqualTo(List.of(stored("h1"), stored("h2")));
    assertThat(r.changed()).containsExactly(new AppKey(ENV, APPID));
  }

  @Test
  void evictIsOkWithTheEvictedInstancesEvenWhenNoneWere() {
    Instance h1 = registry.register(spec("h1"), 100);
    Instance h2 = registry.register(spec("h2"), 100);
    registry.renew(new InstanceKey(ENV, APPID, "h2"), 150);

    ApplyResult<List<Instance>> r =
        new EvictCommand(500, List.of(EvictTarget.of(h1), EvictTarget.of(h2)), false)
            .applyTo(registry);
    ApplyResult<List<Instance>> none = new EvictCommand(600, List.of(), false).applyTo(registry);

    // a restart replays the entry and each of its targets
    assertThat(r)
        .isEqualTo(
            ApplyResult.ok(List.of(h1)).changing(Set.of(h1.appKey())).weighing(3).evicting(1));
    assertThat(none).isEqualTo(ApplyResult.ok(List.of()));
  }

  @Test
  void evictWithRollGuardWindowMovesRenewsThisWindowToLastWindow() {
    registry.register(spec("h1"), 100);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 110);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 120);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 130);

    new EvictCommand(500, List.of(), true).applyTo(registry);

    assertThat(registry.guard().renewsLastWindow()).isEqualTo(3);
    assertThat(registry.guard().renewsThisWindow()).isZero();
  }

  @Test
  void evictWithoutRollGuardWindowLeavesTheGuardAlone() {
    registry.register(spec("h1"), 100);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 110);
    registry.rollGuardWindow();
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 120);

    new EvictCommand(500, List.of(), false).applyTo(registry);

    assertThat(registry.guard().renewsLastWindow()).isEqualTo(1);
    assertThat(registry.guard().renewsThisWindow()).isEqualTo(1);
  }

  @Test
  void replicaApplyingDecodedCommandsReachesTheLeadersState() {
    List<RegistryCommand<?>> log = new ArrayList<>();
    log.add(new RegisterCommand(100, spec("h1", Status.WAITING)));
    log.add(new RegisterCommand(101, spec("h2")));
    log.add(new RegisterCommand(102, spec("sh002", "other.app", "h1", Status.UP)));
    log.add(new RenewCommand(150, new InstanceKey(ENV, APPID, "h2")));
    log.add(new RenewCommand(151, new InstanceKey(ENV, APPID, "missing")));
    log.add(
        new SetCommand(90, ENV, APPID, List.of(new SetChange("h1", Status.UP, Map.of("a", "b")))));
    log.add(new CancelCommand(160, new InstanceKey(ENV, "other.app", "h1")));
    log.add(
        new EvictCommand(
            300,
            List.of(
                new EvictTarget(new InstanceKey(ENV, APPID, "h1"), 100),
                new EvictTarget(new InstanceKey(ENV, APPID, "h2"), 101)),
            true));

    Registry leader = registry();
    Registry follower = registry();
    List<ApplyResult<?>> leaderResults = new ArrayList<>();
    List<ApplyResult<?>> followerResults = new ArrayList<>();
    for (RegistryCommand<?> c : log) {
      leaderResults.add(c.applyTo(leader));
      followerResults.add(CommandCodec.decode(CommandCodec.encode(c)).applyTo(follower));
    }

    assertThat(followerResults).isEqualTo(leaderResults);
    assertThat(snapshot(follower)).isEqualTo(snapshot(leader));
    assertThat(follower.guard().renewsLastWindow()).isEqualTo(leader.guard().renewsLastWindow());
    assertThat(leader.instanceCount()).isEqualTo(1); // h2 renewed after it was chosen
  }

  private static List<Object> snapshot(Registry r) {
    List<Object> out = new ArrayList<>();
    r.applications().stream()
        .sorted(Comparator.comparing(a -> a.key().appid() + "/" + a.key().env()))
        .forEach(
            app -> {
              out.add(app.key());
              out.add(app.latestTimestamp());
              app.instances().stream()
                  .sorted(Comparator.comparing(Instance::hostname))
                  .forEach(out::add);
            });
    out.add(r.instanceCount());
    return out;
  }
}
