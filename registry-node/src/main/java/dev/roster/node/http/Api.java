package dev.roster.node.http;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.cluster.PeerLink;
import dev.roster.node.metrics.Metrics;
import dev.roster.node.model.Instance;
import dev.roster.node.model.Lease;
import dev.roster.node.model.Status;
import dev.roster.node.raft.RaftRegistry;
import dev.roster.node.raft.RenewCoalescer;
import java.util.Map;

/** Assembles the routes of the HTTP contract. */
public final class Api {
  private Api() {}

  /**
   * JSON as the discovery protocol spells it: snake_case names, nulls kept, an instance without the
   * lease and extensions that only the Eureka view shows.
   */
  public static ObjectMapper json() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .setSerializationInclusion(JsonInclude.Include.ALWAYS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .addMixIn(Instance.class, DiscoveryInstance.class)
        .registerModule(new SimpleModule().addSerializer(Status.class, new StatusSerializer()));
  }

  /** What the discovery API leaves out of an instance. */
  private abstract static class DiscoveryInstance {
    @JsonIgnore
    abstract Lease lease();

    @JsonIgnore
    abstract Map<String, String> extensions();
  }

  public static Router router(
      RaftRegistry raft,
      PeerDirectory directory,
      PollHub polls,
      String advertise,
      long electionTimeoutMs,
      long pollHoldMs,
      Metrics metrics,
      ObjectMapper json,
      EurekaSettings eureka,
      LeaseSettings lease,
      PeerLink peers) {
    Router router = new Router().codeInBody("/discovery/").rawBodies("/eureka/");
    WriteGate writes = new WriteGate(raft, directory, electionTimeoutMs);
    ReadGate reads = new ReadGate(raft, writes.budgetMs());
    RenewCoalescer renews =
        new RenewCoalescer(
            raft, RegistryWrites.RENEW_BATCHES_IN_FLIGHT, RegistryWrites.MAX_RENEW_BATCH);
    RegistryReads registryReads = new RegistryReads(raft, reads, json);
    new RegistryWrites(writes, renews, json).routes(router);
    registryReads.routes(router);
    new RegistryPolls(raft, reads, registryReads, polls, pollHoldMs).routes(router);
    new ClusterApi(raft, directory, writes, metrics, advertise, json, peers).routes(router);
    EurekaRoutes paths = new EurekaRoutes(eureka.env());
    EurekaJson eurekaJson = new EurekaJson(eureka.renewIntervalMs(), eureka.expireMs());
    new EurekaWrites(
            raft,
            writes,
            renews,
            new LeaderForwarder(electionTimeoutMs, peers),
            paths,
            eurekaJson,
            eureka.zone())
        .routes(router);
    new EurekaReads(raft, reads, paths, eurekaJson).routes(router);
    new ConsoleReads(raft, lease).routes(router);
    new ConsoleFiles().routes(router);
    return router;
  }

  /**
   * The Eureka API's settings: the env of {@code /eureka/}, the zone of an instance whose metadata
   * names none, and the lease shown for instances registered without one (discovery's).
   */
  public record EurekaSettings(String env, String zone, long renewIntervalMs, long expireMs) {}

  /**
   * The lease timings of the node's settings, which the console's reads show: the default renew
   * interval and expiry, the evict interval and the eviction ceiling.
   */
  public record LeaseSettings(
      long renewIntervalMs, long evictIntervalMs, long expireMs, long ceilingMs) {}
}
