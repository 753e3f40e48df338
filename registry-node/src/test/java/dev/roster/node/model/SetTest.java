package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.latest;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static dev.roster.node.model.Specs.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SetTest {
  private final Registry registry = registry();

  @Test
  void setWithOneUnknownHostnameChangesNothing() {
    Instance h1 = registry.register(spec("h1", Status.WAITING), 100);
    Instance h2 = registry.register(spec("h2", Status.WAITING), 101);

    Optional<List<Instance>> result =
        registry.set(
            ENV,
            APPID,
            List.of(
                new SetChange("h1", Status.UP, null),
                new SetChange("nope", Status.UP, null),
                new SetChange("h2", Status.UP, null)),
            200);

    assertThat(result).isEmpty();
    assertThat(stored(registry, "h1")).isEqualTo(h1);
    assertThat(stored(registry, "h2")).isEqualTo(h2);
    assertThat(latest(registry)).isEqualTo(101);
  }

  @Test
  void setOnUnknownApplicationIsNotFound() {
    assertThat(registry.set(ENV, APPID, List.of(new SetChange("h1", Status.UP, null)), 100))
        .isEmpty();
    assertThat(registry.applicationCount()).isZero();
  }

  @Test
  void setWithoutChangesIsNotFound() {
    registry.register(spec("h1"), 100);

    assertThat(registry.set(ENV, APPID, List.of(), 200)).isEmpty();
    assertThat(latest(registry)).isEqualTo(100);
  }

  @Test
  void setFromWaitingToUpSetsUpTimestamp() {
    registry.register(spec("h1", Status.WAITING), 100);

    List<Instance> changed =
        registry.set(ENV, APPID, List.of(new SetChange("h1", Status.UP, null)), 200).orElseThrow();

    assertThat(changed)
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.status()).isEqualTo(Status.UP);
              assertThat(i.upTimestamp()).isEqualTo(200);
            });
    assertThat(stored(registry, "h1")).isEqualTo(changed.get(0));
  }

  @Test
  void drainFromUpToWaitingKeepsUpTimestamp() {
    registry.register(spec("h1", Status.UP), 100);

    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.WAITING, null)), 200);

    Instance i = stored(registry, "h1");
    assertThat(i.status()).isEqualTo(Status.WAITING);
    assertThat(i.upTimestamp()).isEqualTo(100);
  }

  @Test
  void setUpOnAnInstanceAlreadyUpKeepsUpTimestamp() {
    registry.register(spec("h1", Status.UP), 100);

    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.UP, null)), 200);

    assertThat(stored(registry, "h1").upTimestamp()).isEqualTo(100);
  }

  @Test
  void setReplacesMetadataWholesale() {
    registry.register(spec("h1"), 100); // metadata {weight=10}

    registry.set(ENV, APPID, List.of(new SetChange("h1", null, Map.of("color", "red"))), 200);

    assertThat(stored(registry, "h1").metadata()).isEqualTo(Map.of("color", "red"));
  }

  @Test
  void setWithNullStatusKeepsStatus() {
    registry.register(spec("h1", Status.WAITING), 100);

    registry.set(ENV, APPID, List.of(new SetChange("h1", null, Map.of("a", "b"))), 200);

    assertThat(stored(registry, "h1").status()).isEqualTo(Status.WAITING);
    assertThat(stored(registry, "h1").upTimestamp()).isEqualTo(100);
  }

  @Test
  void setWithNullMetadataKeepsMetadata() {
    registry.register(spec("h1", Status.WAITING), 100);

    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.UP, null)), 200);

    assertThat(stored(registry, "h1").metadata()).isEqualTo(Map.of("weight", "10"));
  }

  @Test
  void setWithEmptyMetadataClearsMetadata() {
    registry.register(spec("h1"), 100);

    registry.set(ENV, APPID, List.of(new SetChange("h1", null, Map.of())), 200);

    assertThat(stored(registry, "h1").metadata()).isEmpty();
  }

  @Test
  void setMovesDirtyAndLatestButKeepsRegistrationRenewAndPayload() {
    Instance before = registry.register(spec("h1", Status.UP), 100);
    registry.renew(new InstanceKey(ENV, APPID, "h1"), 150);

    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.WAITING, null)), 200);

    Instance after = stored(registry, "h1");
    assertThat(after.dirtyTimestamp()).isEqualTo(200);
    assertThat(after.latestTimestamp()).isEqualTo(200);
    assertThat(after.regTimestamp()).isEqualTo(100);
    assertThat(after.renewTimestamp()).isEqualTo(150);
    assertThat(after.addrs()).isEqualTo(before.addrs());
    assertThat(after.version()).isEqualTo(before.version());
    assertThat(after.zone()).isEqualTo(before.zone());
  }

  @Test
  void setOfSeveralInstancesBumpsApplicationLatestTimestampOnce() {
    registry.register(spec("h1", Status.WAITING), 100);
    registry.register(spec("h2", Status.WAITING), 101);
    registry.register(spec("h3", Status.WAITING), 102);

    // ts equal to the current latest: one bump gives exactly previous + 1
    registry.set(
        ENV,
        APPID,
        List.of(
            new SetChange("h1", Status.UP, null),
            new SetChange("h2", Status.UP, null),
            new SetChange("h3", Status.UP, null)),
        102);

    assertThat(latest(registry)).isEqualTo(103);
  }

  @Test
  void setDoesNotChangeInstanceCount() {
    registry.register(spec("h1"), 100);

    registry.set(ENV, APPID, List.of(new SetChange("h1", Status.WAITING, null)), 200);

    assertThat(registry.instanceCount()).isEqualTo(1);
  }

  @Test
  void setChangeWithNeitherStatusNorMetadataIsRejected() {
    assertThatThrownBy(() -> new SetChange("h1", null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void setChangeWithInvalidStatusIsRejected() {
    assertThatThrownBy(() -> new SetChange("h1", Status.ofCode(3), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SetChange("h1", Status.ofCode(0), null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
