package dev.roster.it;

import dev.roster.client.AppInstances;
import dev.roster.client.Instance;
import dev.roster.client.InstancesListener;
import dev.roster.client.RosterClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Client settings matching {@link dev.roster.node.testing.TestCluster#SHORT_TIMINGS}, and a
 * listener that records.
 */
final class Clients {
  static final String ENV = "it";

  private Clients() {}

  static RosterClient.Builder builder(List<String> nodes) {
    return RosterClient.builder()
        .nodes(nodes)
        .env(ENV)
        .zone("z1")
        .renewInterval(Duration.ofMillis(200))
        .connectTimeout(Duration.ofMillis(500))
        .requestTimeout(Duration.ofSeconds(2))
        .deadline(Duration.ofSeconds(10))
        .backoffMin(Duration.ofMillis(50))
        .backoffMax(Duration.ofMillis(500))
        .pollHold(Duration.ofSeconds(2))
        .nodeRefreshInterval(Duration.ofSeconds(1));
  }

  static Instance instance(String appid, String hostname) {
    return Instance.builder(appid, hostname).addrs("http://10.9.0.1:8080").version("it").build();
  }

  /** Every call a listener got, in order. */
  static final class Recorder implements InstancesListener {
    final List<AppInstances> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onChange(AppInstances current) {
      calls.add(current);
    }

    List<String> lastHostnames() {
      return calls.isEmpty() ? List.of() : hostnames(calls.get(calls.size() - 1));
    }

    static List<String> hostnames(AppInstances a) {
      return a.instances().stream().map(Instance::hostname).toList();
    }

    List<Long> versions() {
      return calls.stream().map(AppInstances::latestTimestamp).toList();
    }
  }
}
