package dev.roster.node.model;

import java.util.List;
import java.util.Map;

/** Test values: one application in one zone unless a test says otherwise. */
public final class Specs {
  public static final String ENV = "prod";
  public static final String APPID = "main.web.svc";
  public static final String ZONE = "sh001";

  private Specs() {}

  public static Registry registry() {
    return new Registry(GuardPolicy.DEFAULT);
  }

  public static InstanceSpec spec(String hostname) {
    return spec(hostname, Status.UP);
  }

  public static InstanceSpec spec(String hostname, Status status) {
    return spec(ZONE, APPID, hostname, status);
  }

  public static InstanceSpec spec(String zone, String appid, String hostname, Status status) {
    return new InstanceSpec(
        zone,
        ENV,
        appid,
        hostname,
        List.of("http://" + hostname + ":8080"),
        "v1",
        status,
        Map.of("weight", "10"));
  }

  /** {@code spec} with its own lease (and the extensions of another API). */
  public static InstanceSpec withLease(
      InstanceSpec spec, Lease lease, Map<String, String> extensions) {
    return new InstanceSpec(
        spec.region(),
        spec.zone(),
        spec.env(),
        spec.appid(),
        spec.hostname(),
        spec.addrs(),
        spec.version(),
        spec.status(),
        spec.metadata(),
        lease,
        extensions);
  }

  public static InstanceSpec withLease(InstanceSpec spec, Lease lease) {
    return withLease(spec, lease, Map.of());
  }

  public static Instance stored(Registry registry, String hostname) {
    return registry.application(ENV, APPID).orElseThrow().instance(hostname);
  }

  public static long latest(Registry registry) {
    return registry.application(ENV, APPID).orElseThrow().latestTimestamp();
  }
}
