package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FetchTest {
  private final Registry registry = registry();

  @BeforeEach
  void threeInstancesInTwoZones() {
    registry.register(spec("sh001", APPID, "b-up", Status.UP), 100);
    registry.register(spec("sh001", APPID, "a-wait", Status.WAITING), 101);
    registry.register(spec("sh002", APPID, "c-up", Status.UP), 102);
  }

  private static List<String> hostnames(Fetch f) {
    return f.instances().values().stream()
        .flatMap(List::stream)
        .map(Instance::hostname)
        .sorted()
        .collect(Collectors.toList());
  }

  @Test
  void fetchOfAbsentApplicationIsNotFound() {
    Fetch f = registry.fetch(ENV, "no.such.app", null, Status.ANY, 0);

    assertThat(f.outcome()).isEqualTo(Fetch.Outcome.NOT_FOUND);
    assertThat(f.instances()).isEmpty();
  }

  @Test
  void fetchInAnotherEnvIsNotFound() {
    assertThat(registry.fetch("uat", APPID, null, Status.ANY, 0).outcome())
        .isEqualTo(Fetch.Outcome.NOT_FOUND);
  }

  @Test
  void fetchWithOlderLatestTimestampReturnsInstancesAndApplicationLatest() {
    Fetch f = registry.fetch(ENV, APPID, null, Status.ANY, 101);

    assertThat(f.outcome()).isEqualTo(Fetch.Outcome.FOUND);
    assertThat(f.latestTimestamp()).isEqualTo(102);
    assertThat(hostnames(f)).containsExactly("a-wait", "b-up", "c-up");
  }

  @Test
  void fetchWithCurrentLatestTimestampIsNotModified() {
    Fetch f = registry.fetch(ENV, APPID, null, Status.ANY, 102);

    assertThat(f.outcome()).isEqualTo(Fetch.Outcome.NOT_MODIFIED);
    assertThat(f.latestTimestamp()).isEqualTo(102);
    assertThat(f.instances()).isEmpty();
  }

  @Test
  void fetchWithNewerLatestTimestampIsNotModified() {
    assertThat(registry.fetch(ENV, APPID, null, Status.ANY, 5_000).outcome())
        .isEqualTo(Fetch.Outcome.NOT_MODIFIED);
  }

  @Test
  void statusMaskOneReturnsOnlyUpInstances() {
    assertThat(hostnames(registry.fetch(ENV, APPID, null, Status.UP.code(), 0)))
        .containsExactly("b-up", "c-up");
  }

  @Test
  void statusMaskTwoReturnsOnlyWaitingInstances() {
    assertThat(hostnames(registry.fetch(ENV, APPID, null, Status.WAITING.code(), 0)))
        .containsExactly("a-wait");
  }

  @Test
  void statusMaskThreeReturnsUpAndWaitingInstances() {
    assertThat(hostnames(registry.fetch(ENV, APPID, null, 3, 0)))
        .containsExactly("a-wait", "b-up", "c-up");
  }

  @Test
  void zoneFilterReturnsOnlyThatZone() {
    Fetch f = registry.fetch(ENV, APPID, "sh002", Status.ANY, 0);

    assertThat(f.instances().keySet()).containsExactly("sh002");
    assertThat(hostnames(f)).containsExactly("c-up");
  }

  @Test
  void nullZoneReturnsAllZones() {
    assertThat(registry.fetch(ENV, APPID, null, Status.ANY, 0).instances().keySet())
        .containsExactly("sh001", "sh002");
  }

  @Test
  void emptyZoneReturnsAllZones() {
    assertThat(registry.fetch(ENV, APPID, "", Status.ANY, 0).instances().keySet())
        .containsExactly("sh001", "sh002");
  }

  @Test
  void zoneAndStatusFiltersCombine() {
    assertThat(hostnames(registry.fetch(ENV, APPID, "sh001", Status.UP.code(), 0)))
        .containsExactly("b-up");
  }

  @Test
  void instancesAreGroupedByZoneInHostnameOrder() {
    Map<String, List<Instance>> byZone =
        registry.fetch(ENV, APPID, null, Status.ANY, 0).instances();

    assertThat(byZone).containsOnlyKeys("sh001", "sh002");
    assertThat(byZone.get("sh001"))
        .extracting(Instance::hostname)
        .containsExactly("a-wait", "b-up");
    assertThat(byZone.get("sh001")).allSatisfy(i -> assertThat(i.zone()).isEqualTo("sh001"));
    assertThat(byZone.get("sh002")).extracting(Instance::hostname).containsExactly("c-up");
  }

  @Test
  void fetchReturnsTheStoredInstances() {
    Map<String, List<Instance>> byZone =
        registry.fetch(ENV, APPID, null, Status.ANY, 0).instances();
    Application app = registry.application(ENV, APPID).orElseThrow();

    assertThat(byZone.get("sh002")).containsExactly(app.instance("c-up"));
  }
}
