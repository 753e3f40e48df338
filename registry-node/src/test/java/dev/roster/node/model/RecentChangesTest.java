package dev.roster.node.model;

import static dev.roster.node.model.RecentChanges.Action.ADDED;
import static dev.roster.node.model.RecentChanges.Action.DELETED;
import static dev.roster.node.model.RecentChanges.Action.MODIFIED;
import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static dev.roster.node.model.Specs.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.model.RecentChanges.Change;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recent changes (Eureka's delta) as the registry's mutations feed them. */
class RecentChangesTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long RETENTION = RecentChanges.RETENTION_NANOS;
  private static final long T0 = 1_000 * SECOND;

  private final Registry registry = registry();

  private InstanceKey key(String hostname) {
    return new InstanceKey(ENV, APPID, hostname);
  }

  private List<Change> changes() {
    return List.copyOf(registry.recentChanges().all());
  }

  /** hostname:action of each change, oldest first. */
  private List<String> summary() {
    return summary(registry);
  }

  private static List<String> summary(Registry r) {
    return r.recentChanges().all().stream()
        .map(c -> c.instance().hostname() + ":" + c.action())
        .toList();
  }

  /** A change of another instance, long enough after {@code ts} that everything before is gone. */
  private void pruneEverythingUpTo(long ts) {
    registry.register(spec("pruner"), ts + RETENTION + 1);
  }

  @Test
  void retentionIsThreeMinutes() {
    assertThat(RETENTION).isEqualTo(180 * SECOND);
  }

  @Test
  void registerOfANewInstanceIsAddedWithTheStoredInstanceAndItsTs() {
    Instance h1 = registry.register(spec("h1"), T0);

    assertThat(changes()).containsExactly(new Change(T0, ADDED, h1));
  }

  @Test
  void aRepeatedRegisterIsModified() {
    registry.register(spec("h1"), T0);
    pruneEverythingUpTo(T0);

    Instance again = registry.register(spec("h1", Status.WAITING), T0 + RETENTION + 2);

    assertThat(changes()).endsWith(new Change(T0 + RETENTION + 2, MODIFIED, again));
    assertThat(summary()).containsExactly("pruner:ADDED", "h1:MODIFIED");
  }

  @Test
  void anInstanceAddedAndThenChangedWithinTheWindowIsStillAdded() {
    registry.register(spec("h1"), T0);
    registry.register(spec("h2"), T0);
    registry.register(spec("h3"), T0);

    Instance h1 = registry.register(spec("h1", Status.WAITING), T0 + 1);
    List<Instance> h2 =
        registry
            .set(ENV, APPID, List.of(new SetChange("h2", null, Map.of("k", "v"))), T0 + 2)
            .get();
    Instance h3 = registry.changeStatus(key("h3"), Status.WAITING, Map.of(), T0 + 3).get();

    // the latest state of each, still ADDED: a client that missed both must add it
    assertThat(changes())
        .containsExactly(
            new Change(T0 + 1, ADDED, h1),
            new Change(T0 + 2, ADDED, h2.get(0)),
            new Change(T0 + 3, ADDED, h3));
  }

  @Test
  void setAndAStatusChangeAreModified() {
    registry.register(spec("h1"), T0);
    registry.register(spec("h2"), T0);
    pruneEverythingUpTo(T0);
    long t = T0 + RETENTION + 2;

    List<Instance> set =
        registry.set(ENV, APPID, List.of(new SetChange("h1", Status.WAITING, null)), t).get();
    Instance h2 = registry.changeStatus(key("h2"), Status.WAITING, Map.of("x", "y"), t + 1).get();

    assertThat(summary()).containsExactly("pruner:ADDED", "h1:MODIFIED", "h2:MODIFIED");
    assertThat(changes())
        .endsWith(new Change(t, MODIFIED, set.get(0)), new Change(t + 1, MODIFIED, h2));
    assertThat(h2.extensions()).containsEntry("x", "y");
  }

  @Test
  void aCancelIsDeletedWithTheInstancesLastState() {
    registry.register(spec("h1"), T0);
    registry.set(
        ENV, APPID, List.of(new SetChange("h1", Status.WAITING, Map.of("k", "v"))), T0 + 1);
    registry.renew(key("h1"), T0 + 2);
    Instance last = stored(registry, "h1");

    registry.cancel(key("h1"), T0 + 3);

    assertThat(changes()).containsExactly(new Change(T0 + 3, DELETED, last));
    assertThat(last.status()).isEqualTo(Status.WAITING);
    assertThat(last.renewTimestamp()).isEqualTo(T0 + 2);
  }

  @Test
  void anEvictionIsDeletedWithTheInstancesLastStateAndASurvivorIsNoChange() {
    Instance h1 = registry.register(spec("h1"), T0);
    Instance h2 = registry.register(spec("h2"), T0);
    registry.renew(key("h2"), T0 + 1); // renewed after the leader chose it: survives

    registry.evict(List.of(EvictTarget.of(h1), EvictTarget.of(h2)), T0 + 2);

    assertThat(changes())
        .containsExactly(new Change(T0, ADDED, h2), new Change(T0 + 2, DELETED, h1));
  }

  @Test
  void anInstanceDeletedAndRegisteredAgainIsAdded() {
    registry.register(spec("h1"), T0);
    registry.cancel(key("h1"), T0 + 1);
    assertThat(summary()).containsExactly("h1:DELETED");

    Instance back = registry.register(spec("h1"), T0 + 2);

    assertThat(changes()).containsExactly(new Change(T0 + 2, ADDED, back));
  }

  @Test
  void eachInstanceHasOneEntryItsLatestAndTheOrderIsOldestFirst() {
    registry.register(spec("h1"), T0);
    registry.register(spec("h2"), T0 + 1);
    registry.register(spec("h3"), T0 + 2);
    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.WAITING, null)), T0 + 3);
    registry.cancel(key("h2"), T0 + 4);

    assertThat(summary()).containsExactly("h3:ADDED", "h1:ADDED", "h2:DELETED");
    assertThat(changes()).extracting(Change::ts).containsExactly(T0 + 2, T0 + 3, T0 + 4);
    assertThat(registry.recentChanges().size()).isEqualTo(3);
  }

  @Test
  void theSameHostnameInAnotherApplicationOrEnvIsAnotherInstance() {
    registry.register(spec("h1"), T0);
    registry.register(spec("z", "other.app", "h1", Status.UP), T0 + 1);
    InstanceSpec s = spec("h1");
    registry.register(
        new InstanceSpec(s.zone(), "uat", APPID, "h1", s.addrs(), "", Status.UP, Map.of()), T0 + 2);

    assertThat(changes())
        .extracting(c -> c.instance().key())
        .containsExactly(
            key("h1"),
            new InstanceKey(ENV, "other.app", "h1"),
            new InstanceKey("uat", APPID, "h1"));
  }

  @Test
  void changesOlderThanTheRetentionBeforeTheNewestChangeArePruned() {
    registry.register(spec("h1"), T0);
    registry.register(spec("h2"), T0 + 10 * SECOND);

    registry.register(spec("h3"), T0 + RETENTION);
    assertThat(summary())
        .as("exactly the retention: kept")
        .containsExactly("h1:ADDED", "h2:ADDED", "h3:ADDED");

    registry.register(spec("h4"), T0 + RETENTION + 1);
    assertThat(summary()).containsExactly("h2:ADDED", "h3:ADDED", "h4:ADDED");

    registry.cancel(key("h4"), T0 + RETENTION + 10 * SECOND + 1);
    assertThat(summary()).containsExactly("h3:ADDED", "h4:DELETED");
  }

  @Test
  void withoutANewerChangeNothingIsPrunedHoweverOld() {
    registry.register(spec("h1"), T0);
    registry.renew(key("h1"), T0 + 10 * RETENTION);
    registry.cancel(key("unknown"), T0 + 10 * RETENTION);

    assertThat(summary()).containsExactly("h1:ADDED");
  }

  @Test
  void renewsAreNotChanges() {
    Instance h1 = registry.register(spec("h1"), T0);
    registry.renew(key("h1"), T0 + 1);
    registry.renew(key("h1"), T0 + 2);

    // the change keeps the instance as the register left it
    assertThat(changes()).containsExactly(new Change(T0, ADDED, h1));
  }

  @Test
  void rejectedWritesAreNotChanges() {
    registry.register(spec("h1"), T0);

    registry.cancel(key("h2"), T0 + 1);
    registry.set(
        ENV,
        APPID,
        List.of(new SetChange("h1", Status.WAITING, null), new SetChange("h2", Status.UP, null)),
        T0 + 2);
    registry.changeStatus(key("h2"), Status.WAITING, Map.of(), T0 + 3);
    registry.evict(List.of(new EvictTarget(key("h1"), T0 - 1)), T0 + 4); // renewed since

    assertThat(summary()).containsExactly("h1:ADDED");
    assertThat(changes().get(0).ts()).isEqualTo(T0);
  }

  @Test
  void changesCanBeFilteredByEnvKeepingTheirOrder() {
    InstanceSpec s = spec("x");
    for (String env : List.of("uat", ENV)) {
      for (String host : List.of("h1", "h2")) {
        registry.register(
            new InstanceSpec(s.zone(), env, APPID, host, s.addrs(), "", Status.UP, Map.of()), T0);
      }
    }
    registry.cancel(new InstanceKey("uat", APPID, "h1"), T0 + 1);

    assertThat(registry.recentChanges().changes(i -> i.env().equals("uat")))
        .extracting(c -> c.instance().hostname() + ":" + c.action())
        .containsExactly("h2:ADDED", "h1:DELETED");
    assertThat(registry.recentChanges().changes(i -> i.env().equals(ENV)))
        .extracting(c -> c.instance().hostname())
        .containsExactly("h1", "h2");
    assertThat(registry.recentChanges().changes(i -> false)).isEmpty();
  }

  @Test
  void theChangesCannotBeModifiedThroughTheirView() {
    registry.register(spec("h1"), T0);

    assertThatThrownBy(() -> registry.recentChanges().all().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void restoredChangesAreTheSavedOnesInTheSavedOrder() {
    registry.register(spec("h2"), T0);
    registry.register(spec("h1"), T0 + 1);
    registry.cancel(key("h2"), T0 + 2);
    Registry restored = restored(registry);

    assertThat(restored.recentChanges().all()).containsExactlyElementsOf(changes());
    assertThat(summary(restored)).containsExactly("h1:ADDED", "h2:DELETED");
  }

  /** The registry's instances and changes put back into a fresh one, as a snapshot restore does. */
  private static Registry restored(Registry r) {
    Registry restored = registry();
    for (Application app : r.applications()) {
      app.instances().forEach(restored::restoreInstance);
      restored.restoreLatestTimestamp(app.key(), app.latestTimestamp());
    }
    r.recentChanges().all().forEach(restored::restoreChange);
    return restored;
  }

  @Test
  void aRestoredRegistryRecordsLaterChangesExactlyLikeTheOriginal() {
    registry.register(spec("h1"), T0);
    registry.register(spec("h2"), T0 + 100 * SECOND);
    registry.cancel(key("h1"), T0 + 150 * SECOND);
    Registry restored = restored(registry);

    for (Registry r : List.of(registry, restored)) {
      r.register(spec("h3"), T0 + RETENTION + 120 * SECOND);
      r.set(ENV, APPID, List.of(new SetChange("h3", Status.WAITING, null)), T0 + RETENTION + 121);
      r.register(spec("h1"), T0 + 2 * RETENTION);
    }

    assertThat(restored.recentChanges().all()).containsExactlyElementsOf(changes());
  }

  /**
   * A leader whose clock is a little behind its predecessor's stamps changes with older times than
   * changes already recorded. A registry restored from a snapshot (which saves the changes, not the
   * newest time ever seen) must still prune exactly like the replica that lived through them, or
   * the replicas' deltas and snapshot bytes part ways.
   */
  @Test
  void aRestoredRegistryPrunesLikeTheOriginalAfterTheLeadersClockWentBack() {
    long ms = 1_000_000L;
    registry.register(spec("f"), 820 * SECOND);
    registry.register(spec("e"), 820 * SECOND - ms / 3); // a leader 0.3 ms behind
    registry.register(spec("g"), 1_000 * SECOND);
    registry.register(spec("g"), 1_000 * SECOND - ms); // again 1 ms behind
    Registry restored = restored(registry);
    assertThat(restored.recentChanges().all()).containsExactlyElementsOf(changes());

    for (Registry r : List.of(registry, restored)) {
      r.register(spec("f"), 1_000 * SECOND - ms / 2);
    }

    assertThat(summary(restored)).isEqualTo(summary());
    assertThat(restored.recentChanges().all()).containsExactlyElementsOf(changes());
  }

  /**
   * An instance's ADDED older than the retention is out of the window of its next change: that
   * change is a MODIFIED whether or not some other instance changed in between (which prunes the
   * ADDED first).
   */
  @Test
  void anAddedOlderThanTheRetentionDoesNotMakeTheInstancesNextChangeAdded() {
    registry.register(spec("h1"), T0);

    Instance again = registry.register(spec("h1", Status.WAITING), T0 + RETENTION + 1);

    assertThat(changes()).containsExactly(new Change(T0 + RETENTION + 1, MODIFIED, again));
  }

  @Test
  void anAddedExactlyTheRetentionAgoIsStillInTheWindow() {
    registry.register(spec("h1"), T0);

    Instance again = registry.register(spec("h1", Status.WAITING), T0 + RETENTION);

    assertThat(changes()).containsExactly(new Change(T0 + RETENTION, ADDED, again));
  }
}
