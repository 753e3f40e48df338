package dev.roster.node.raft;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import dev.roster.node.model.Registry;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryDigestTest {
  private static final GuardPolicy POLICY = new GuardPolicy(2, 0.85);

  private static Registry registry(boolean reversedOrder) {
    Registry r = new Registry(POLICY);
    List<String> hosts = reversedOrder ? List.of("h3", "h2", "h1") : List.of("h1", "h2", "h3");
    long ts = 100;
    for (String h : hosts) {
      r.register(spec("sh001", APPID, h, Status.UP), ts);
      r.register(spec("sh001", "other." + h, h, Status.WAITING), ts);
    }
    return r;
  }

  @Test
  void sameStateBuiltInAnotherOrderHasTheSameDigest() {
    assertThat(RegistryDigest.of(registry(false), 7, 100))
        .isEqualTo(RegistryDigest.of(registry(true), 7, 100));
  }

  @Test
  void digestCountsApplicationsAndInstancesAndKeepsTheIndex() {
    RegistryDigest d = RegistryDigest.of(registry(false), 42, 100);
    assertThat(d.appliedIndex()).isEqualTo(42);
    assertThat(d.applications()).isEqualTo(4);
    assertThat(d.instances()).isEqualTo(6);
    assertThat(d.sha256()).hasSize(64);
  }

  @Test
  void metadataInsertionOrderDoesNotMatter() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    Registry a = new Registry(POLICY);
    Registry b = new Registry(POLICY);
    a.register(withMetadata(ab), 200);
    b.register(withMetadata(ba), 200);
    assertThat(RegistryDigest.of(a, 1, 200)).isEqualTo(RegistryDigest.of(b, 1, 200));
  }

  @Test
  void anyVisibleOrReplicatedChangeChangesTheDigest() {
    Registry r = registry(false);
    String before = RegistryDigest.of(r, 1, 100).sha256();
    r.renew(new InstanceKey(ENV, APPID, "h1"), 150);
    String renewed = RegistryDigest.of(r, 1, 150).sha256();
    assertThat(renewed).isNotEqualTo(before);
    r.set(ENV, APPID, List.of(new SetChange("h2", Status.WAITING, null)), 160);
    String set = RegistryDigest.of(r, 1, 160).sha256();
    assertThat(set).isNotEqualTo(renewed);
    r.rollGuardWindow();
    assertThat(RegistryDigest.of(r, 1, 160).sha256()).isNotEqualTo(set);
    assertThat(RegistryDigest.of(r, 1, 161).sha256())
        .as("last applied ts is replicated state too")
        .isNotEqualTo(RegistryDigest.of(r, 1, 160).sha256());
  }

  @Test
  void theRegionIsPartOfTheDigest() {
    Registry none = new Registry(POLICY);
    Registry east = new Registry(POLICY);
    none.register(withMetadata(Map.of()), 200);
    east.register(
        new InstanceSpec(
            "cn-east",
            "sh001",
            ENV,
            APPID,
            "h1",
            List.of("http://h1:8080"),
            "v1",
            Status.UP,
            Map.of()),
        200);

    assertThat(RegistryDigest.of(east, 1, 200).sha256())
        .isNotEqualTo(RegistryDigest.of(none, 1, 200).sha256());
  }

  /**
   * The digest of a registry without leases or extensions, as Roster computed it before format 3
   * (checked against a1eb51c^): the chaos suite compares digests of nodes of both versions during
   * an upgrade.
   */
  @Test
  void theDigestOfARegistryWithoutLeasesOrExtensionsIsTheOneOfBeforeFormatVersion3() {
    assertThat(RegistryDigest.of(registry(false), 7, 100).sha256())
        .isEqualTo("4632b77e76003423af0e003ad18a1180ddb88291844ed30724727bd9f41c9356");
  }

  @Test
  void theLeaseAndTheExtensionsArePartOfTheDigest() {
    Registry plain = new Registry(POLICY);
    Registry leased = new Registry(POLICY);
    Registry extended = new Registry(POLICY);
    Registry overridden = new Registry(POLICY);
    InstanceSpec s = withMetadata(Map.of());
    plain.register(s, 200);
    leased.register(withLeaseAndExtensions(s, new Lease(5_000, 15_000), Map.of()), 200);
    extended.register(withLeaseAndExtensions(s, Lease.DEFAULT, Map.of("eureka.status", "UP")), 200);
    overridden.register(
        withLeaseAndExtensions(
            s,
            Lease.DEFAULT,
            Map.of("eureka.status", "UP", "eureka.overriddenStatus", "OUT_OF_SERVICE")),
        200);

    assertThat(
            List.of(plain, leased, extended, overridden).stream()
                .map(r -> RegistryDigest.of(r, 1, 200).sha256())
                .distinct())
        .hasSize(4);
  }

  private static InstanceSpec withLeaseAndExtensions(
      InstanceSpec s, Lease lease, Map<String, String> extensions) {
    return new InstanceSpec(
        s.region(),
        s.zone(),
        s.env(),
        s.appid(),
        s.hostname(),
        s.addrs(),
        s.version(),
        s.status(),
        s.metadata(),
        lease,
        extensions);
  }

  private static InstanceSpec withMetadata(Map<String, String> metadata) {
    return new InstanceSpec(
        "sh001", ENV, APPID, "h1", List.of("http://h1:8080"), "v1", Status.UP, metadata);
  }
}
