package dev.roster.node.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The registry of the article (Bilibili discovery semantics) as plain, single-threaded Java.
 *
 * <p>Every mutating method takes the timestamp it must use — the leader's wall clock stamped into
 * the command — so applying the same commands in the same order gives the same state on every node.
 * No I/O, no clock, no threads, no randomness: the caller serialises access.
 */
public final class Registry implements RegistryView {
  private final Map<AppKey, Application> apps = new HashMap<>();

  /** One copy of each zone and region string (see {@link #register}). */
  private final Map<String, String> places = new HashMap<>();

  private final RecentChanges recent = new RecentChanges();
  private final EvictionLog evictionLog = new EvictionLog();
  private final Guard guard;
  private final Predicate<AppKey> guarded;
  private long instanceCount;
  private long guardedInstanceCount;
  private long guardedExpectedRenews;

  public Registry(GuardPolicy policy) {
    this(policy, key -> true);
  }

  /**
   * @param guarded which applications self-protection counts (their instances are expected to
   *     renew, their renews are counted); the registry nodes' own entries, which renew on their own
   *     schedule, are left out so they cannot mask a mass disappearance of clients
   */
  public Registry(GuardPolicy policy, Predicate<AppKey> guarded) {
    this.guard = new Guard(policy);
    this.guarded = guarded;
  }

  /**
   * Registers a new instance or replaces an existing one's payload. A repeated register keeps
   * {@code reg_timestamp}; {@code up_timestamp} moves only when the status becomes UP.
   */
  public Instance register(InstanceSpec spec, long ts) {
    Application app = apps.computeIfAbsent(spec.appKey(), Application::new);
    Instance existing = app.instance(spec.hostname());
    Instance stored;
    // every instance of an application shares its env and appid strings, and zones and regions
    // are shared registry-wide: with a million instances that is a good part of the heap
    String region = place(spec.region());
    String zone = place(spec.zone());
    if (existing == null) {
      stored = Instance.fresh(spec, app.key(), region, zone, ts);
      counted(stored, 1);
      recent.record(ts, RecentChanges.Action.ADDED, stored);
    } else {
      stored = existing.reregistered(spec, region, zone, ts);
      owed(existing, -1);
      owed(stored, 1);
      recent.record(ts, RecentChanges.Action.MODIFIED, stored);
    }
    app.put(stored);
    app.touch(ts);
    return stored;
  }

  /**
   * Records a heartbeat. Unknown instances are not found (the client registers again). A renew
   * changes nothing a fetcher filters on, so the application's latest_timestamp stays put and
   * pollers are not woken by heartbeats.
   */
  public Optional<Instance> renew(InstanceKey key, long ts) {
    Application app = apps.get(key.appKey());
    Instance existing = app == null ? null : app.instance(key.hostname());
    if (existing == null) {
      return Optional.empty();
    }
    Instance renewed = existing.renewed(ts);
    app.put(renewed);
    if (guarded.test(app.key())) {
      guard.countRenew();
    }
    return Optional.of(renewed);
  }

  /** Removes an instance; the application goes when its last instance does. */
  public Optional<Instance> cancel(InstanceKey key, long ts) {
    Application app = apps.get(key.appKey());
    if (app == null || app.instance(key.hostname()) == null) {
      return Optional.empty();
    }
    Instance removed = removeInstance(app, key.hostname(), ts);
    return Optional.of(removed);
  }

  /**
   * Changes status and/or metadata of several instances of one application, all or nothing: if any
   * hostname is unknown nothing changes and the result is empty.
   */
  public Optional<List<Instance>> set(String env, String appid, List<SetChange> changes, long ts) {
    Application app = apps.get(new AppKey(env, appid));
    if (app == null || changes.isEmpty()) {
      return Optional.empty();
    }
    for (SetChange change : changes) {
      if (app.instance(change.hostname()) == null) {
        return Optional.empty();
      }
    }
    List<Instance> changed = new ArrayList<>(changes.size());
    for (SetChange change : changes) {
      Instance updated =
          app.instance(change.hostname()).changed(change.status(), change.metadata(), ts);
      app.put(updated);
      changed.add(updated);
      recent.record(ts, RecentChanges.Action.MODIFIED, updated);
    }
    app.touch(ts);
    return Optional.of(changed);
  }

  /**
   * Replaces one instance's status and extensions (another API's status change, such as a Eureka
   * status override); empty if the instance is unknown.
   */
  public Optional<Instance> changeStatus(
      InstanceKey key, Status status, Map<String, String> extensions, long ts) {
    Application app = apps.get(key.appKey());
    Instance existing = app == null ? null : app.instance(key.hostname());
    if (existing == null) {
      return Optional.empty();
    }
    Instance updated = existing.withStatusAndExtensions(status, extensions, ts);
    app.put(updated);
    app.touch(ts);
    recent.record(ts, RecentChanges.Action.MODIFIED, updated);
    return Optional.of(updated);
  }

  /**
   * Removes each target whose renew timestamp is still the one the leader saw; an instance that
   * renewed after the leader decided survives.
   */
  public List<Instance> evict(List<EvictTarget> targets, long ts) {
    return evict(targets, ts, LogPosition.NONE);
  }

  /** As {@link #evict(List, long)}, logging each eviction as done by the entry at {@code at}. */
  public List<Instance> evict(List<EvictTarget> targets, long ts, LogPosition at) {
    List<Instance> evicted = new ArrayList<>();
    for (EvictTarget t : targets) {
      Application app = apps.get(t.key().appKey());
      Instance current = app == null ? null : app.instance(t.key().hostname());
      if (current != null && current.renewTimestamp() == t.renewTimestamp()) {
        Instance removed = removeInstance(app, t.key().hostname(), ts);
        evicted.add(removed);
        evictionLog.evicted(removed, t, ts, at);
      }
    }
    return evicted;
  }

  /** Logs what an eviction check decided (its window, a change of self-protection). */
  public void recordCheck(EvictionLog.Check check, long ts, LogPosition at) {
    evictionLog.checked(check, ts, at);
  }

  /** Closes the guard's check window (the leader's periodic check does this through the log). */
  public void rollGuardWindow() {
    guard.roll();
  }

  private Instance removeInstance(Application app, String hostname, long ts) {
    Instance removed = app.remove(hostname);
    counted(removed, -1);
    recent.record(ts, RecentChanges.Action.DELETED, removed);
    if (app.size() == 0) {
      apps.remove(app.key());
    } else {
      app.touch(ts);
    }
    return removed;
  }

  @Override
  public Fetch fetch(String env, String appid, String zone, int statusMask, long latestTimestamp) {
    Application app = apps.get(new AppKey(env, appid));
    if (app == null) {
      return Fetch.NOT_FOUND;
    }
    if (latestTimestamp >= app.latestTimestamp()) {
      return Fetch.notModified(app.latestTimestamp());
    }
    return new Fetch(Fetch.Outcome.FOUND, app.select(zone, statusMask), app.latestTimestamp());
  }

  @Override
  public Optional<Instance> instance(InstanceKey key) {
    Application app = apps.get(key.appKey());
    return Optional.ofNullable(app == null ? null : app.instance(key.hostname()));
  }

  @Override
  public Optional<Application> application(String env, String appid) {
    return Optional.ofNullable(apps.get(new AppKey(env, appid)));
  }

  @Override
  public Collection<Application> applications() {
    return Collections.unmodifiableCollection(apps.values());
  }

  private void counted(Instance instance, int delta) {
    instanceCount += delta;
    if (guarded.test(instance.appKey())) {
      guardedInstanceCount += delta;
    }
    owed(instance, delta);
  }

  /**
   * Keeps the renews owed per window as the sum over the guarded instances present, each by its own
   * lease: derived from the instances, never accumulated by repeated registers.
   */
  private void owed(Instance instance, int sign) {
    if (guarded.test(instance.appKey())) {
      guardedExpectedRenews += sign * guard.policy().renewsPerWindow(instance.lease());
    }
  }

  @Override
  public long instanceCount() {
    return instanceCount;
  }

  @Override
  public long guardedInstanceCount() {
    return guardedInstanceCount;
  }

  @Override
  public long expectedRenews() {
    return guardedExpectedRenews;
  }

  @Override
  public long renewThreshold() {
    return guard.thresholdOf(guardedExpectedRenews);
  }

  @Override
  public boolean protecting() {
    return guard.protectingAt(guardedExpectedRenews);
  }

  @Override
  public int applicationCount() {
    return apps.size();
  }

  @Override
  public RecentChanges recentChanges() {
    return recent;
  }

  @Override
  public EvictionLog evictionLog() {
    return evictionLog;
  }

  @Override
  public Guard guard() {
    return guard;
  }

  @Override
  public List<Instance> expired(long now, long expireNanos) {
    List<Instance> expired = new ArrayList<>();
    for (Application app : apps.values()) {
      for (Instance i : app.instances()) {
        if (now - i.renewTimestamp() > i.lease().expireNanos(expireNanos)) {
          expired.add(i);
        }
      }
    }
    return expired;
  }

  // ---- snapshot restore: rebuilds exactly the state that was saved ----

  /** Puts back a saved instance as is (timestamps included). */
  public void restoreInstance(Instance instance) {
    Application app = apps.computeIfAbsent(instance.appKey(), Application::new);
    Instance existing = app.instance(instance.hostname());
    if (existing != null) {
      counted(existing, -1);
    }
    Instance restored =
        instance.sharing(app.key(), place(instance.region()), place(instance.zone()));
    app.put(restored);
    counted(restored, 1);
  }

  private String place(String zoneOrRegion) {
    return places.computeIfAbsent(zoneOrRegion, z -> z);
  }

  public void restoreLatestTimestamp(AppKey key, long latestTimestamp) {
    Application app = apps.get(key);
    if (app == null) {
      throw new IllegalStateException("no instances restored for " + key);
    }
    app.restoreLatestTimestamp(latestTimestamp);
  }

  /** Puts back a saved recent change; call in the saved order. */
  public void restoreChange(RecentChanges.Change change) {
    recent.restore(change);
  }

  public void restoreEvictionLog(EvictionLog.State state) {
    evictionLog.restore(state);
  }

  public void restoreGuard(long renewsThisWindow, long renewsLastWindow) {
    guard.restore(renewsThisWindow, renewsLastWindow);
  }
}
