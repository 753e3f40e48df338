package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RestoreTest {

  /** A saved registry the way a snapshot sees it. */
  private record Saved(
      List<Instance> instances, Map<AppKey, Long> latest, long thisWindow, long lastWindow) {}

  private static Saved save(Registry r) {
    List<Instance> instances = new ArrayList<>();
    Map<AppKey, Long> latest =
        new TreeMap<>((a, b) -> (a.appid() + "/" + a.env()).compareTo(b.appid() + "/" + b.env()));
    for (Application app : r.applications()) {
      instances.addAll(app.instances());
      latest.put(app.key(), app.latestTimestamp());
    }
    instances.sort(
        (a, b) ->
            (a.appid() + a.env() + a.hostname()).compareTo(b.appid() + b.env() + b.hostname()));
    return new Saved(instances, latest, r.guard().renewsThisWindow(), r.guard().renewsLastWindow());
  }

  private static Registry restore(Saved s) {
    Registry r = registry();
    s.instances().forEach(r::restoreInstance);
    s.latest().forEach(r::restoreLatestTimestamp);
    r.restoreGuard(s.thisWindow(), s.lastWindow());
    return r;
  }

  private static Registry busyRegistry() {
    Registry r = registry();
    r.register(spec("sh001", APPID, "h1", Status.WAITING), 100);
    r.register(spec("sh002", APPID, "h2", Status.UP), 110);
    r.register(spec("sh001", "other.app", "h1", Status.UP), 120);
    r.register(spec("sh001", "gone.app", "h9", Status.UP), 125);
    r.cancel(new InstanceKey(ENV, "gone.app", "h9"), 126);
    r.renew(new InstanceKey(ENV, APPID, "h1"), 130);
    r.renew(new InstanceKey(ENV, APPID, "h2"), 131);
    r.rollGuardWindow();
    r.renew(new InstanceKey(ENV, "other.app", "h1"), 140);
    r.set(ENV, APPID, List.of(new SetChange("h1", Status.UP, Map.of("k", "v"))), 90); // old clock
    return r;
  }

  @Test
  void restoringInstancesLatestTimestampsAndGuardRebuildsIdenticalState() {
    Registry original = busyRegistry();
    Saved saved = save(original);

    Registry restored = restore(saved);

    assertThat(save(restored)).isEqualTo(saved);
    assertThat(restored.instanceCount()).isEqualTo(original.instanceCount()).isEqualTo(3);
    assertThat(restored.applicationCount()).isEqualTo(original.applicationCount()).isEqualTo(2);
    assertThat(restored.guard().renewsThisWindow()).isEqualTo(1);
    assertThat(restored.guard().renewsLastWindow()).isEqualTo(2);
    assertThat(restored.fetch(ENV, APPID, null, Status.ANY, 0))
        .isEqualTo(original.fetch(ENV, APPID, null, Status.ANY, 0));
  }

  @Test
  void restoredRegistryAppliesLaterWritesExactlyLikeTheOriginal() {
    Registry original = busyRegistry();
    Registry restored = restore(save(original));

    for (Registry r : List.of(original, restored)) {
      r.register(spec("h1"), 50); // clock behind: latest must still step from the restored value
      r.renew(new InstanceKey(ENV, APPID, "h2"), 60);
      r.cancel(new InstanceKey(ENV, "other.app", "h1"), 70);
      r.rollGuardWindow();
    }

    assertThat(save(restored)).isEqualTo(save(original));
    assertThat(restored.guard().protecting(restored.instanceCount()))
        .isEqualTo(original.guard().protecting(original.instanceCount()));
  }

  @Test
  void restoreInstanceKeepsAllTimestampsAsSaved() {
    Instance saved =
        new Instance(
            "cn-east",
            "z",
            ENV,
            APPID,
            "h1",
            List.of("a"),
            "v",
            Status.UP,
            Map.of(),
            1,
            2,
            3,
            4,
            5,
            Lease.DEFAULT,
            Map.of());
    Registry r = registry();

    r.restoreInstance(saved);

    assertThat(r.application(ENV, APPID).orElseThrow().instance("h1")).isEqualTo(saved);
  }

  @Test
  void restoringTheSameInstanceTwiceCountsItOnce() {
    Registry r = registry();
    Instance i =
        new Instance(
            "",
            "z",
            ENV,
            APPID,
            "h1",
            List.of(),
            "v",
            Status.UP,
            Map.of(),
            1,
            1,
            1,
            1,
            1,
            Lease.DEFAULT,
            Map.of());

    r.restoreInstance(i);
    r.restoreInstance(i);

    assertThat(r.instanceCount()).isEqualTo(1);
  }

  @Test
  void restoreLatestTimestampOfApplicationWithoutInstancesFails() {
    assertThatThrownBy(() -> registry().restoreLatestTimestamp(new AppKey(ENV, APPID), 5))
        .isInstanceOf(IllegalStateException.class);
  }
}
