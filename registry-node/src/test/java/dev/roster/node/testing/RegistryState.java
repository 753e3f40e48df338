package dev.roster.node.testing;

import dev.roster.node.RosterNode;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.model.Application;
import dev.roster.node.model.Instance;
import dev.roster.node.raft.RegistryStateMachine;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole replicated state of one node, read atomically under the state machine's read lock and
 * put in a canonical order, so two nodes can be compared with {@code equals}: two replicas that
 * applied the same entries must be equal here, timestamps and guard counters included.
 */
public record RegistryState(
    long appliedIndex,
    long lastAppliedTs,
    long renewsThisWindow,
    long renewsLastWindow,
    Map<String, App> apps) {

  /** One application: its latest_timestamp and its instances by hostname. */
  public record App(long latestTimestamp, Map<String, Instance> instances) {}

  public static RegistryState of(RosterNode node) {
    RegistryStateMachine fsm = node.raft().stateMachine();
    return fsm.read(
        r -> {
          Map<String, App> apps = new TreeMap<>();
          for (Application a : r.applications()) {
            Map<String, Instance> instances = new TreeMap<>();
            a.instances().forEach(i -> instances.put(i.hostname(), i));
            apps.put(
                a.key().env() + "/" + a.key().appid(), new App(a.latestTimestamp(), instances));
          }
          return new RegistryState(
              fsm.appliedIndex(),
              fsm.lastAppliedTs(),
              r.guard().renewsThisWindow(),
              r.guard().renewsLastWindow(),
              apps);
        });
  }

  /**
   * Only the applications a test wrote: the nodes' own entries ({@value PeerDirectory#APPID}) are
   * renewed in the background by every node, so they keep changing while a test runs.
   */
  public static Map<String, App> userApps(RosterNode node) {
    Map<String, App> apps = new TreeMap<>(of(node).apps());
    apps.keySet().removeIf(k -> k.startsWith(PeerDirectory.ENV + "/"));
    return apps;
  }

  public long instanceCount() {
    return apps.values().stream().mapToLong(a -> a.instances().size()).sum();
  }
}
