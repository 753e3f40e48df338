package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.latest;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static dev.roster.node.model.Specs.stored;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegisterTest {
  private final Registry registry = registry();

  @Test
  void newRegisterSetsAllFiveTimestampsToTs() {
    Instance i = registry.register(spec("h1"), 100);

    assertThat(i.regTimestamp()).isEqualTo(100);
    assertThat(i.upTimestamp()).isEqualTo(100);
    assertThat(i.renewTimestamp()).isEqualTo(100);
    assertThat(i.dirtyTimestamp()).isEqualTo(100);
    assertThat(i.latestTimestamp()).isEqualTo(100);
  }

  @Test
  void newRegisterStoresThePayloadAndReturnsTheStoredInstance() {
    Instance returned = registry.register(spec("h1"), 100);

    assertThat(stored(registry, "h1")).isEqualTo(returned);
    assertThat(returned.addrs()).containsExactly("http://h1:8080");
    assertThat(returned.version()).isEqualTo("v1");
    assertThat(returned.status()).isEqualTo(Status.UP);
    assertThat(returned.metadata()).isEqualTo(Map.of("weight", "10"));
    assertThat(returned.zone()).isEqualTo(Specs.ZONE);
    assertThat(returned.region()).as("none given").isEmpty();
  }

  @Test
  void regionIsStoredReplacedByARepeatedRegisterAndKeptByRenewAndSet() {
    InstanceSpec s = spec("h1");
    registry.register(
        new InstanceSpec(
            "cn-east", s.zone(), ENV, APPID, "h1", s.addrs(), "v1", Status.UP, Map.of()),
        100);
    assertThat(stored(registry, "h1").region()).isEqualTo("cn-east");

    registry.renew(new InstanceKey(ENV, APPID, "h1"), 110);
    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.WAITING, Map.of("k", "v"))), 120);
    assertThat(stored(registry, "h1").region()).isEqualTo("cn-east");

    registry.register(
        new InstanceSpec(
            "cn-north", s.zone(), ENV, APPID, "h1", s.addrs(), "v1", Status.UP, Map.of()),
        130);
    assertThat(stored(registry, "h1").region()).isEqualTo("cn-north");
    registry.register(s, 140);
    assertThat(stored(registry, "h1").region()).as("a register without region clears it").isEmpty();
  }

  @Test
  void newRegisterCreatesApplicationAndCountsInstance() {
    assertThat(registry.application(ENV, APPID)).isEmpty();

    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 101);

    assertThat(registry.applicationCount()).isEqualTo(1);
    assertThat(registry.application(ENV, APPID)).get().extracting(Application::size).isEqualTo(2);
    assertThat(registry.instanceCount()).isEqualTo(2);
  }

  @Test
  void newRegisterSetsApplicationLatestTimestamp() {
    registry.register(spec("h1"), 100);

    assertThat(latest(registry)).isEqualTo(100);
  }

  @Test
  void repeatedRegisterKeepsRegTimestampAndReplacesPayload() {
    registry.register(spec("h1"), 100);
    InstanceSpec again =
        new InstanceSpec(
            "sh002",
            ENV,
            APPID,
            "h1",
            List.of("grpc://h1:9000", "http://h1:8081"),
            "v2",
            Status.WAITING,
            Map.of("color", "blue"));

    Instance i = registry.register(again, 200);

    assertThat(i.regTimestamp()).isEqualTo(100);
    assertThat(i.zone()).isEqualTo("sh002");
    assertThat(i.addrs()).containsExactly("grpc://h1:9000", "http://h1:8081");
    assertThat(i.version()).isEqualTo("v2");
    assertThat(i.status()).isEqualTo(Status.WAITING);
    assertThat(i.metadata()).isEqualTo(Map.of("color", "blue"));
    assertThat(stored(registry, "h1")).isEqualTo(i);
  }

  @Test
  void repeatedRegisterSetsRenewDirtyAndLatestToTs() {
    registry.register(spec("h1"), 100);

    Instance i = registry.register(spec("h1"), 200);

    assertThat(i.renewTimestamp()).isEqualTo(200);
    assertThat(i.dirtyTimestamp()).isEqualTo(200);
    assertThat(i.latestTimestamp()).isEqualTo(200);
    assertThat(latest(registry)).isEqualTo(200);
  }

  @Test
  void repeatedRegisterFromWaitingToUpSetsUpTimestamp() {
    registry.register(spec("h1", Status.WAITING), 100);

    Instance i = registry.register(spec("h1", Status.UP), 200);

    assertThat(i.upTimestamp()).isEqualTo(200);
  }

  @Test
  void repeatedRegisterThatStaysUpKeepsUpTimestamp() {
    registry.register(spec("h1", Status.UP), 100);

    Instance i = registry.register(spec("h1", Status.UP), 200);

    assertThat(i.upTimestamp()).isEqualTo(100);
  }

  @Test
  void repeatedRegisterFromUpToWaitingKeepsUpTimestamp() {
    registry.register(spec("h1", Status.UP), 100);

    Instance i = registry.register(spec("h1", Status.WAITING), 200);

    assertThat(i.upTimestamp()).isEqualTo(100);
  }

  @Test
  void repeatedRegisterThatStaysWaitingKeepsUpTimestamp() {
    registry.register(spec("h1", Status.WAITING), 100);

    Instance i = registry.register(spec("h1", Status.WAITING), 200);

    assertThat(i.upTimestamp()).isEqualTo(100);
  }

  @Test
  void repeatedRegisterLeavesInstanceCountUnchanged() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h1"), 200);
    registry.register(spec("h1"), 300);

    assertThat(registry.instanceCount()).isEqualTo(1);
    assertThat(registry.application(ENV, APPID)).get().extracting(Application::size).isEqualTo(1);
  }

  @Test
  void sameHostnameInAnotherEnvOrAppIsAnotherInstance() {
    registry.register(spec("h1"), 100);
    registry.register(
        new InstanceSpec(Specs.ZONE, "uat", APPID, "h1", List.of(), "v1", Status.UP, Map.of()),
        101);
    registry.register(spec(Specs.ZONE, "other.app", "h1", Status.UP), 102);

    assertThat(registry.instanceCount()).isEqualTo(3);
    assertThat(registry.applicationCount()).isEqualTo(3);
    assertThat(stored(registry, "h1").regTimestamp()).isEqualTo(100);
  }
}
