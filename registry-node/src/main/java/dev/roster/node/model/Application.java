package dev.roster.node.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The instances of one (env, appid), and the timestamp of the last change fetchers can see. */
public final class Application {
  private final AppKey key;
  private final Map<String, Instance> instances = new HashMap<>();
  private long latestTimestamp;
  private long version;

  Application(AppKey key) {
    this.key = key;
  }

  public AppKey key() {
    return key;
  }

  public long latestTimestamp() {
    return latestTimestamp;
  }

  /**
   * Changes with every mutation, renews included (unlike {@link #latestTimestamp()}, which only
   * moves for changes fetchers filter on). Not replicated: a per-node cache key.
   */
  public long version() {
    return version;
  }

  public int size() {
    return instances.size();
  }

  public Instance instance(String hostname) {
    return instances.get(hostname);
  }

  public Collection<Instance> instances() {
    return Collections.unmodifiableCollection(instances.values());
  }

  /**
   * Records a change fetchers can see. Strictly increasing even if a new leader's clock is behind
   * the old one's, so a poller holding the previous value always sees the change.
   */
  long touch(long ts) {
    version++;
    latestTimestamp = Math.max(ts, latestTimestamp + 1);
    return latestTimestamp;
  }

  void put(Instance instance) {
    version++;
    instances.put(instance.hostname(), instance);
  }

  Instance remove(String hostname) {
    version++;
    return instances.remove(hostname);
  }

  void restoreLatestTimestamp(long ts) {
    latestTimestamp = ts;
  }

  /**
   * Matching instances grouped by zone (zones sorted, instances by hostname, for stable output).
   */
  Map<String, List<Instance>> select(String zone, int statusMask) {
    Map<String, List<Instance>> byZone = new TreeMap<>();
    for (Instance i : instances.values()) {
      if (!i.status().matches(statusMask)) {
        continue;
      }
      if (zone != null && !zone.isEmpty() && !zone.equals(i.zone())) {
        continue;
      }
      byZone.computeIfAbsent(i.zone(), z -> new ArrayList<>()).add(i);
    }
    byZone.values().forEach(list -> list.sort((a, b) -> a.hostname().compareTo(b.hostname())));
    return byZone;
  }
}
