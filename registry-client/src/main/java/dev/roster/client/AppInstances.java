package dev.roster.client;

import java.util.List;

/**
 * The instances of one application at one version of the registry.
 *
 * @param appid the application
 * @param instances its instances matching the query, ordered by zone then hostname; empty if the
 *     application has none (or does not exist)
 * @param latestTimestamp the application's version in the registry (Unix nanoseconds, strictly
 *     increasing per application); 0 when the application does not exist
 */
public record AppInstances(String appid, List<Instance> instances, long latestTimestamp) {
  public AppInstances {
    instances = List.copyOf(instances);
  }

  static AppInstances absent(String appid) {
    return new AppInstances(appid, List.of(), 0);
  }

  public boolean isEmpty() {
    return instances.isEmpty();
  }
}
