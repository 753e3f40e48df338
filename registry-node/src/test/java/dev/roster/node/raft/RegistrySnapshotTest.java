package dev.roster.node.raft;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.command.CodecException;
import dev.roster.node.model.Application;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Registry;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import dev.roster.node.testing.FormatV1;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistrySnapshotTest {
  private static final GuardPolicy POLICY = new GuardPolicy(2, 0.85);
  private static final long LAST_APPLIED_TS = 1_700_000_000_123_456_789L;

  @TempDir Path dir;

  /** Everything a snapshot must keep, in a canonical order. */
  private record Contents(
      Map<String, Long> latest,
      Map<String, Instance> instances,
      long instanceCount,
      long renewsThisWindow,
      long renewsLastWindow) {}

  private static Contents contents(Registry r) {
    Map<String, Long> latest = new TreeMap<>();
    Map<String, Instance> instances = new TreeMap<>();
    for (Application app : r.applications()) {
      latest.put(app.key().env() + "/" + app.key().appid(), app.latestTimestamp());
      for (Instance i : app.instances()) {
        instances.put(i.env() + "/" + i.appid() + "/" + i.hostname(), i);
      }
    }
    return new Contents(
        latest,
        instances,
        r.instanceCount(),
        r.guard().renewsThisWindow(),
        r.guard().renewsLastWindow());
  }

  /**
   * Several apps and zones, both statuses, metadata, renews in two guard windows, a removed app.
   */
  private static Registry busyRegistry() {
    Registry r = new Registry(POLICY);
    r.register(spec("sh001", APPID, "h1", Status.WAITING), 100);
    r.register(spec("sh002", APPID, "h2", Status.UP), 110);
    r.register(spec("sh001", "other.app", "h1", Status.UP), 120);
    r.register(spec("sh001", "gone.app", "h9", Status.UP), 125);
    r.cancel(new InstanceKey(ENV, "gone.app", "h9"), 126);
    r.renew(new InstanceKey(ENV, APPID, "h1"), 130);
    r.renew(new InstanceKey(ENV, APPID, "h2"), 131);
    r.rollGuardWindow();
    r.renew(new InstanceKey(ENV, "other.app", "h1"), 140);
    r.set(ENV, APPID, List.of(new SetChange("h1", Status.UP, Map.of("k", "v", "ü", "ß"))), 90);
    r.register(spec("sh001", "other.app", "h1", Status.UP), 150); // keeps reg_timestamp 120
    return r;
  }

  private Path write(RegistrySnapshot snapshot) throws IOException {
    Path file = dir.resolve("registry.snap");
    snapshot.writeTo(file);
    return file;
  }

  @Test
  void snapshotWrittenAndReadBackRestoresAnIdenticalRegistry() throws IOException {
    Registry original = busyRegistry();
    RegistrySnapshot captured = RegistrySnapshot.capture(original, LAST_APPLIED_TS);

    RegistrySnapshot read = RegistrySnapshot.readFrom(write(captured));
    Registry restored = read.restore(POLICY);

    assertThat(read).isEqualTo(captured.inFileOrder());
    assertThat(read.lastAppliedTs()).isEqualTo(LAST_APPLIED_TS);
    assertThat(contents(restored)).isEqualTo(contents(original));
    Contents c = contents(restored);
    assertThat(c.instanceCount()).isEqualTo(3);
    assertThat(c.latest()).containsOnlyKeys(ENV + "/" + APPID, ENV + "/other.app");
    assertThat(c.renewsLastWindow()).isEqualTo(2);
    assertThat(c.renewsThisWindow()).isEqualTo(1);
    Instance h1 = c.instances().get(ENV + "/other.app/h1");
    assertThat(h1.regTimestamp()).isEqualTo(120);
    assertThat(h1.renewTimestamp()).isEqualTo(150);
    assertThat(c.instances().get(ENV + "/" + APPID + "/h1").metadata()).containsEntry("ü", "ß");
  }

  /** {@link #busyRegistry()} with h2 registered again in region cn-east: it needs format 2. */
  private static Registry busyRegistryWithARegion() {
    Registry r = busyRegistry();
    InstanceSpec h2 = spec("h2");
    r.register(
        new InstanceSpec(
            "cn-east", h2.zone(), ENV, APPID, "h2", h2.addrs(), "v2", Status.UP, Map.of()),
        160);
    return r;
  }

  @Test
  void regionsRoundTripInFormatVersion2() throws IOException {
    Registry original = busyRegistryWithARegion();
    RegistrySnapshot captured = RegistrySnapshot.capture(original, LAST_APPLIED_TS);

    Path file = write(captured);
    RegistrySnapshot read = RegistrySnapshot.readFrom(file);

    assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4))
        .as("format version")
        .isEqualTo(2);
    assertThat(read).isEqualTo(captured.inFileOrder());
    Contents c = contents(read.restore(POLICY));
    assertThat(c).isEqualTo(contents(original));
    assertThat(c.instances().get(ENV + "/" + APPID + "/h2").region()).isEqualTo("cn-east");
    assertThat(c.instances().get(ENV + "/" + APPID + "/h1").region()).isEmpty();
  }

  /**
   * {@code registry-format-1.snap} was written by Roster at 42caf88 (snapshot format 1, before
   * regions) from the registry {@link #busyRegistry()} builds, and must load for good: a node
   * upgraded from that version starts from such a file.
   */
  @Test
  void aSnapshotFileOfFormatVersion1StillLoadsWithEmptyRegions()
      throws IOException, URISyntaxException {
    RegistrySnapshot read = RegistrySnapshot.readFrom(formatVersion1File());

    assertThat(read.lastAppliedTs()).isEqualTo(LAST_APPLIED_TS);
    Contents c = contents(read.restore(POLICY));
    assertThat(c).isEqualTo(contents(busyRegistry()));
    assertThat(c.instances().values()).extracting(Instance::region).containsOnly("");
  }

  /** The tests' version 1 writer (used where a whole node must start from old data) is faithful. */
  @Test
  void theTestsFormatVersion1WriterWritesWhatTheVersion1EncoderWrote()
      throws IOException, URISyntaxException {
    Path file = dir.resolve("v1.snap");
    FormatV1.writeSnapshot(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS), file);

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(formatVersion1File()));
  }

  /**
   * Without regions the snapshot is written in format 1, byte for byte what the old version wrote,
   * so a follower not yet upgraded can install it from an upgraded leader.
   */
  @Test
  void aRegistryWithoutRegionsIsWrittenInFormatVersion1ThatOldNodesRead()
      throws IOException, URISyntaxException {
    Path file = write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS));

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(formatVersion1File()));
  }

  /**
   * Golden bytes of format 2: {@code registry-format-2.snap} holds {@link
   * #busyRegistryWithARegion()} as this version writes it. A change to the format must be
   * deliberate: a new version, and this file kept and still read.
   */
  @Test
  void aRegistryWithARegionIsWrittenAsTheCheckedInFormatVersion2File()
      throws IOException, URISyntaxException {
    Path file = write(RegistrySnapshot.capture(busyRegistryWithARegion(), LAST_APPLIED_TS));

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(fixture(2)));
  }

  @Test
  void theCheckedInFormatVersion2FileLoads() throws IOException, URISyntaxException {
    RegistrySnapshot read = RegistrySnapshot.readFrom(fixture(2));

    assertThat(read)
        .isEqualTo(
            RegistrySnapshot.capture(busyRegistryWithARegion(), LAST_APPLIED_TS).inFileOrder());
    assertThat(contents(read.restore(POLICY))).isEqualTo(contents(busyRegistryWithARegion()));
  }

  private static Path fixture(int formatVersion) throws URISyntaxException {
    String name = "registry-format-" + formatVersion + ".snap";
    return Path.of(RegistrySnapshotTest.class.getResource(name).toURI());
  }

  private static Path formatVersion1File() throws URISyntaxException {
    return Path.of(RegistrySnapshotTest.class.getResource("registry-format-1.snap").toURI());
  }

  @Test
  void restoredRegistryTakesLaterWritesExactlyLikeTheOriginal() throws IOException {
    Registry original = busyRegistry();
    Registry restored =
        RegistrySnapshot.readFrom(write(RegistrySnapshot.capture(original, LAST_APPLIED_TS)))
            .restore(POLICY);

    for (Registry r : List.of(original, restored)) {
      r.register(
          spec("h3"), 50); // clock behind: latest_timestamp must still step from the saved one
      r.renew(new InstanceKey(ENV, APPID, "h2"), 60);
      r.cancel(new InstanceKey(ENV, "other.app", "h1"), 70);
      r.rollGuardWindow();
    }

    assertThat(contents(restored)).isEqualTo(contents(original));
  }

  @Test
  void emptyRegistryRoundTrips() throws IOException {
    Registry empty = new Registry(POLICY);

    RegistrySnapshot read = RegistrySnapshot.readFrom(write(RegistrySnapshot.capture(empty, 0)));
    Registry restored = read.restore(POLICY);

    assertThat(read.apps()).isEmpty();
    assertThat(read.lastAppliedTs()).isZero();
    assertThat(read.instanceCount()).isZero();
    assertThat(contents(restored)).isEqualTo(contents(empty));
    assertThat(restored.applicationCount()).isZero();
  }

  @Test
  void flippedByteInTheBodyIsCaughtByTheChecksum() throws IOException {
    Path file = write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS));
    byte[] bytes = Files.readAllBytes(file);
    bytes[8 + 3] ^= 0x01; // inside last-applied ts: decodes fine, only the checksum can tell
    Files.write(file, bytes);

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("checksum");
  }

  @Test
  void anyFlippedByteAfterTheHeaderIsRejected() throws IOException {
    byte[] good =
        Files.readAllBytes(write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS)));
    Path file = dir.resolve("corrupt.snap");
    for (int at = 8; at < good.length; at++) {
      byte[] bad = good.clone();
      bad[at] ^= (byte) 0x40;
      Files.write(file, bad);
      int offset = at;
      assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
          .as("byte %d of %d flipped", offset, good.length)
          .isInstanceOf(CodecException.class);
    }
  }

  @Test
  void wrongMagicIsRejected() throws IOException {
    Path file = write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS));
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putInt(0, 0x504B0304); // a zip file's magic
    Files.write(file, bytes);

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("not a Roster snapshot");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, RegistrySnapshot.FORMAT_VERSION + 1, -1})
  void unsupportedFormatVersionIsRejected(int version) throws IOException {
    Path file = write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS));
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putInt(4, version);
    Files.write(file, bytes);

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("version " + version);
  }

  @Test
  void aVersion2FileLabelledVersion1IsRejected() throws IOException {
    // every instance would read one string short: the body no longer parses to its exact length
    Path file = write(RegistrySnapshot.capture(busyRegistryWithARegion(), LAST_APPLIED_TS));
    assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4))
        .as("format version")
        .isEqualTo(2);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putInt(4, 1);
    Files.write(file, bytes);

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file)).isInstanceOf(CodecException.class);
  }

  @Test
  void truncatedFileIsRejectedAtEveryLength() throws IOException {
    byte[] good =
        Files.readAllBytes(write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS)));
    Path file = dir.resolve("short.snap");
    for (int length = 0; length < good.length; length++) {
      Files.write(file, Arrays.copyOf(good, length));
      int len = length;
      assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
          .as("file cut to %d of %d bytes", len, good.length)
          .isInstanceOf(CodecException.class);
    }
  }

  @Test
  void trailingGarbageIsRejected() throws IOException {
    byte[] good =
        Files.readAllBytes(write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS)));
    Path file = dir.resolve("long.snap");
    Files.write(file, Arrays.copyOf(good, good.length + 5));

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file)).isInstanceOf(CodecException.class);
  }

  @Test
  void writingOverAnOlderSnapshotReplacesItCompletely() throws IOException {
    Path file = write(RegistrySnapshot.capture(busyRegistry(), LAST_APPLIED_TS));

    RegistrySnapshot empty = RegistrySnapshot.capture(new Registry(POLICY), 7);
    empty.writeTo(file);

    assertThat(RegistrySnapshot.readFrom(file)).isEqualTo(empty);
  }

  /**
   * A replica that lived through a big registry shrinking iterates its maps in another order than
   * one that installed the result from a snapshot; both write the same bytes all the same.
   */
  @Test
  void theSameStateIsWrittenAsTheSameBytesWhateverItsHistory() throws IOException {
    Registry lived = new Registry(POLICY);
    for (int a = 0; a < 2_000; a++) {
      for (int h = 0; h < (a < 50 ? 30 : 1); h++) {
        lived.register(spec("sh001", "app" + a, "h" + h, Status.UP), 100);
      }
    }
    for (int a = 0; a < 2_000; a++) {
      for (int h = (a < 50 ? 3 : 0); h < (a < 50 ? 30 : 1); h++) {
        lived.cancel(new InstanceKey(ENV, "app" + a, "h" + h), 200);
      }
    }
    Registry installed = RegistrySnapshot.capture(lived, LAST_APPLIED_TS).restore(POLICY);
    assertThat(contents(installed)).isEqualTo(contents(lived));
    assertThat(order(installed)).isNotEqualTo(order(lived)); // else this proves nothing

    byte[] one = Files.readAllBytes(write(RegistrySnapshot.capture(lived, LAST_APPLIED_TS)));
    byte[] other = Files.readAllBytes(write(RegistrySnapshot.capture(installed, LAST_APPLIED_TS)));

    assertThat(other).isEqualTo(one);
  }

  private static List<String> order(Registry r) {
    return r.applications().stream()
        .flatMap(app -> app.instances().stream().map(i -> i.appid() + "/" + i.hostname()))
        .toList();
  }
}
