package dev.roster.node.raft;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.command.BinaryWriter;
import dev.roster.node.command.CodecException;
import dev.roster.node.command.ModelCodec;
import dev.roster.node.model.Application;
import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import dev.roster.node.model.LogPosition;
import dev.roster.node.model.RecentChanges;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistrySnapshotTest {
  private static final GuardPolicy POLICY = new GuardPolicy(2, 0.85);
  static final long LAST_APPLIED_TS = 1_700_000_000_123_456_789L;

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

  // ---- format 3: leases, extensions and the recent changes ----

  private static final Lease FAST = new Lease(5_000, 15_000);

  private static InstanceSpec eurekaSpec(String appid, String hostname, Lease lease) {
    InstanceSpec s = spec("sh003", appid, hostname, Status.UP);
    return new InstanceSpec(
        "",
        s.zone(),
        ENV,
        appid,
        hostname,
        s.addrs(),
        "",
        Status.UP,
        Map.of(),
        lease,
        Map.of(
            EurekaFields.STATUS,
            "UP",
            EurekaFields.LAST_DIRTY_TIMESTAMP,
            "1700000000000",
            EurekaFields.INSTANCE,
            "{\"app\":\"" + appid.toUpperCase() + "\",\"ünï\":\"值\"}"));
  }

  /**
   * {@link #busyRegistryWithARegion()} with instances registered through the Eureka API: one with
   * its own lease and a status override, one registered and cancelled again (only its DELETED is
   * left). It needs format 3. Its recent changes are in neither key nor time order.
   */
  private static Registry busyRegistryWithEureka() {
    Registry r = busyRegistryWithARegion();
    r.register(eurekaSpec(APPID, "e1", FAST), 170);
    r.changeStatus(
        new InstanceKey(ENV, APPID, "e1"),
        Status.WAITING,
        EurekaFields.withOverride(eurekaSpec(APPID, "e1", FAST).extensions(), "OUT_OF_SERVICE"),
        175);
    r.register(eurekaSpec("eureka.app", "e2", new Lease(30_000, 90_000)), 180);
    r.cancel(new InstanceKey(ENV, "eureka.app", "e2"), 185);
    r.renew(new InstanceKey(ENV, APPID, "e1"), 190);
    return r;
  }

  private static List<String> keys(List<RecentChanges.Change> changes) {
    return changes.stream()
        .map(c -> c.instance().appid() + "/" + c.instance().hostname() + ":" + c.action())
        .toList();
  }

  @Test
  void eurekaInstancesAndRecentChangesRoundTripInFormatVersion3() throws IOException {
    Registry original = busyRegistryWithEureka();
    RegistrySnapshot captured = RegistrySnapshot.capture(original, LAST_APPLIED_TS);

    Path file = write(captured);
    RegistrySnapshot read = RegistrySnapshot.readFrom(file);
    Registry restored = read.restore(POLICY);

    assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4))
        .as("format version")
        .isEqualTo(3);
    assertThat(read).isEqualTo(captured.inFileOrder());
    assertThat(contents(restored)).isEqualTo(contents(original));
    Instance e1 = contents(restored).instances().get(ENV + "/" + APPID + "/e1");
    assertThat(e1.lease()).isEqualTo(FAST);
    assertThat(e1.extensions()).containsEntry(EurekaFields.OVERRIDDEN_STATUS, "OUT_OF_SERVICE");
    assertThat(e1.status()).isEqualTo(Status.WAITING);
    assertThat(e1.renewTimestamp()).isEqualTo(190);
    // the recent changes in the order they were recorded, which is not the file order of apps
    assertThat(read.recent()).containsExactlyElementsOf(original.recentChanges().all());
    assertThat(restored.recentChanges().all())
        .containsExactlyElementsOf(original.recentChanges().all());
    assertThat(keys(read.recent()))
        .containsExactly(
            "gone.app/h9:DELETED",
            APPID + "/h1:ADDED",
            "other.app/h1:ADDED",
            APPID + "/h2:ADDED",
            APPID + "/e1:ADDED",
            "eureka.app/e2:DELETED");
    assertThat(read.recent())
        .as("not sorted by key")
        .isNotEqualTo(
            read.recent().stream()
                .sorted(Comparator.comparing(c -> c.instance().key().toString()))
                .toList())
        .as("nor by time")
        .isNotEqualTo(
            read.recent().stream().sorted(Comparator.comparing(RecentChanges.Change::ts)).toList());
  }

  /**
   * Golden bytes of format 3: {@code registry-format-3.snap} holds {@link
   * #busyRegistryWithEureka()} as this version writes it. A change to the format must be
   * deliberate: a new version, and this file kept and still read. The file was written once by
   * {@link SnapshotFixtures} (see there); never regenerate it to make this test pass.
   */
  @Test
  void aRegistryWithEurekaInstancesIsWrittenAsTheCheckedInFormatVersion3File()
      throws IOException, URISyntaxException {
    Path file = write(RegistrySnapshot.capture(busyRegistryWithEureka(), LAST_APPLIED_TS));

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(fixture(3)));
  }

  @Test
  void theCheckedInFormatVersion3FileLoads() throws IOException, URISyntaxException {
    RegistrySnapshot read = RegistrySnapshot.readFrom(fixture(3));
    Registry restored = read.restore(POLICY);
    Registry expected = busyRegistryWithEureka();

    assertThat(read).isEqualTo(RegistrySnapshot.capture(expected, LAST_APPLIED_TS).inFileOrder());
    assertThat(contents(restored)).isEqualTo(contents(expected));
    assertThat(restored.recentChanges().all())
        .containsExactlyElementsOf(expected.recentChanges().all());
  }

  /**
   * {@link #busyRegistryWithEureka()} after eviction checks: self-protection went on, then off, and
   * two instances were evicted, one for each reason.
   */
  static Registry busyRegistryWithEvictions() {
    Registry r = busyRegistryWithEureka();
    r.recordCheck(new EvictionLog.Check(false, 9, 8, 500), 200, new LogPosition(20, 1));
    r.recordCheck(new EvictionLog.Check(true, 2, 8, 500), 210, new LogPosition(21, 1));
    Instance h2 = r.instance(new InstanceKey(ENV, APPID, "h2")).orElseThrow();
    r.evict(List.of(EvictTarget.of(h2, EvictionReason.PAST_CEILING)), 210, new LogPosition(21, 1));
    r.recordCheck(new EvictionLog.Check(false, 8, 7, 500), 220, new LogPosition(25, 2));
    Instance other = r.instance(new InstanceKey(ENV, "other.app", "h1")).orElseThrow();
    r.evict(List.of(EvictTarget.of(other, EvictionReason.EXPIRED)), 220, new LogPosition(25, 2));
    return r;
  }

  @Test
  void theEvictionLogRoundTripsInFormatVersion4() throws IOException {
    Registry original = busyRegistryWithEvictions();
    RegistrySnapshot captured = RegistrySnapshot.capture(original, LAST_APPLIED_TS);

    Path file = write(captured);
    RegistrySnapshot read = RegistrySnapshot.readFrom(file);
    Registry restored = read.restore(POLICY);

    assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4))
        .as("format version")
        .isEqualTo(4);
    assertThat(read).isEqualTo(captured.inFileOrder());
    assertThat(contents(restored)).isEqualTo(contents(original));
    assertThat(restored.recentChanges().all())
        .containsExactlyElementsOf(original.recentChanges().all());
    EvictionLog log = restored.evictionLog();
    assertThat(log.state()).isEqualTo(original.evictionLog().state());
    assertThat(log.capacity()).isEqualTo(500);
    assertThat(log.evictions())
        .extracting(e -> e.key().appid() + "/" + e.key().hostname() + ":" + e.reason())
        .containsExactly(APPID + "/h2:PAST_CEILING", "other.app/h1:EXPIRED");
    assertThat(log.changes())
        .extracting(EvictionLog.ProtectionChange::on)
        .containsExactly(true, false);
    assertThat(log.protecting()).isFalse();
    assertThat(log.protectingSince()).isEqualTo(220);
    assertThat(log.windows()).hasSize(3);
    assertThat(log.total(EvictionReason.EXPIRED)).isEqualTo(1);
  }

  /**
   * Golden bytes of format 4 ({@code registry-format-4.snap}: {@link
   * #busyRegistryWithEvictions()}), written once by {@link SnapshotFixtures}; never regenerate it
   * to make this pass.
   */
  @Test
  void aRegistryWithAnEvictionLogIsWrittenAsTheCheckedInFormatVersion4File()
      throws IOException, URISyntaxException {
    Path file = write(RegistrySnapshot.capture(busyRegistryWithEvictions(), LAST_APPLIED_TS));

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(fixture(4)));
  }

  @Test
  void theCheckedInFormatVersion4FileLoads() throws IOException, URISyntaxException {
    Registry restored = RegistrySnapshot.readFrom(fixture(4)).restore(POLICY);
    Registry expected = busyRegistryWithEvictions();

    assertThat(contents(restored)).isEqualTo(contents(expected));
    assertThat(restored.evictionLog().state()).isEqualTo(expected.evictionLog().state());
  }

  @Test
  void olderFormatsRestoreAnEmptyEvictionLog() throws IOException, URISyntaxException {
    for (int version = 1; version <= 3; version++) {
      Registry restored = RegistrySnapshot.readFrom(fixture(version)).restore(POLICY);
      assertThat(restored.evictionLog().state().isEmpty()).as("format %d", version).isTrue();
    }
  }

  @Test
  void aRegistryWithoutEurekaInstancesIsStillWrittenInFormatVersion1Or2WithoutRecentChanges()
      throws IOException {
    for (Registry original : List.of(busyRegistry(), busyRegistryWithARegion())) {
      assertThat(original.recentChanges().size()).isPositive();
      RegistrySnapshot captured = RegistrySnapshot.capture(original, LAST_APPLIED_TS);

      Path file = write(captured);
      RegistrySnapshot read = RegistrySnapshot.readFrom(file);

      assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4)).isIn(1, 2);
      assertThat(read.recent()).isEmpty();
      assertThat(captured.inFileOrder().recent()).isEmpty();
      assertThat(read.restore(POLICY).recentChanges().size()).isZero();
      assertThat(contents(read.restore(POLICY))).isEqualTo(contents(original));
    }
  }

  @Test
  void aEurekaInstanceLeftOnlyInTheRecentChangesStillNeedsFormatVersion3() throws IOException {
    Registry original = busyRegistry();
    original.register(eurekaSpec("eureka.app", "e2", FAST), 200);
    original.cancel(new InstanceKey(ENV, "eureka.app", "e2"), 210);

    Path file = write(RegistrySnapshot.capture(original, LAST_APPLIED_TS));
    RegistrySnapshot read = RegistrySnapshot.readFrom(file);

    assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4)).isEqualTo(3);
    assertThat(keys(read.recent())).endsWith("eureka.app/e2:DELETED");
    assertThat(read.recent().get(read.recent().size() - 1).instance().lease()).isEqualTo(FAST);
    assertThat(read.recent()).containsExactlyElementsOf(original.recentChanges().all());
  }

  /**
   * Self-protection by each instance's lease survives a snapshot: the restored registry expects the
   * same renews, so it has the same threshold and protects alike.
   */
  @Test
  void expectedRenewsThresholdAndProtectionSurviveASnapshotWithMixedLeases() throws IOException {
    GuardPolicy windowed = GuardPolicy.DEFAULT; // a 60 s window: a 5 s renew owes 12
    Registry original = new Registry(windowed);
    original.register(spec("h1"), 100);
    original.register(eurekaSpec(APPID, "e1", FAST), 100);
    original.register(eurekaSpec(APPID, "e2", new Lease(10_000, 30_000)), 100);
    original.register(eurekaSpec(APPID, "e2", new Lease(20_000, 60_000)), 101); // now owes 3
    original.register(eurekaSpec("gone.app", "e3", FAST), 102);
    original.cancel(new InstanceKey(ENV, "gone.app", "e3"), 103);
    for (int k = 0; k < 14; k++) {
      original.renew(new InstanceKey(ENV, APPID, "e1"), 110 + k);
    }
    original.rollGuardWindow();
    assertThat(original.expectedRenews()).isEqualTo(2 + 12 + 3);
    assertThat(original.renewThreshold()).isEqualTo(14); // 17 * 0.85 = 14.45
    assertThat(original.protecting()).isFalse();

    Registry restored =
        RegistrySnapshot.readFrom(write(RegistrySnapshot.capture(original, LAST_APPLIED_TS)))
            .restore(windowed);

    assertThat(restored.expectedRenews()).isEqualTo(original.expectedRenews());
    assertThat(restored.renewThreshold()).isEqualTo(original.renewThreshold());
    assertThat(restored.protecting()).isEqualTo(original.protecting());
    assertThat(restored.guardedInstanceCount()).isEqualTo(3);

    // and both go on alike: 13 renews in the next window are below the threshold of 14
    for (Registry r : List.of(original, restored)) {
      for (int k = 0; k < 13; k++) {
        r.renew(new InstanceKey(ENV, APPID, "e1"), 200 + k);
      }
      r.rollGuardWindow();
      r.cancel(new InstanceKey(ENV, APPID, "e2"), 300);
    }
    assertThat(restored.protecting()).isEqualTo(original.protecting()).isFalse();
    assertThat(restored.expectedRenews()).isEqualTo(original.expectedRenews()).isEqualTo(14);
  }

  @Test
  void aRestoredFormatVersion3RegistryTakesLaterWritesExactlyLikeTheOriginal() throws IOException {
    Registry original = busyRegistryWithEureka();
    Registry restored =
        RegistrySnapshot.readFrom(write(RegistrySnapshot.capture(original, LAST_APPLIED_TS)))
            .restore(POLICY);

    for (Registry r : List.of(original, restored)) {
      r.register(eurekaSpec(APPID, "e1", FAST), 200); // a repeated register: MODIFIED -> ADDED
      r.register(eurekaSpec("eureka.app", "e2", FAST), 210); // deleted, added again
      r.cancel(new InstanceKey(ENV, APPID, "h2"), 220);
      r.register(spec("h4"), 220 + RecentChanges.RETENTION_NANOS); // prunes what is older
    }

    assertThat(contents(restored)).isEqualTo(contents(original));
    assertThat(restored.recentChanges().all())
        .containsExactlyElementsOf(original.recentChanges().all());
    assertThat(keys(List.copyOf(restored.recentChanges().all())))
        .containsExactly(APPID + "/h2:DELETED", APPID + "/h4:ADDED");
  }

  @Test
  void aVersion3FileLabelledVersion2IsRejected() throws IOException {
    Path file = write(RegistrySnapshot.capture(busyRegistryWithEureka(), LAST_APPLIED_TS));
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putInt(4, 2);
    Files.write(file, bytes);

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file)).isInstanceOf(CodecException.class);
  }

  /** A version 3 file with a valid checksum around {@code body}. */
  private Path fileOfVersion3Body(byte[] body) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(body);
    ByteBuffer file = ByteBuffer.allocate(8 + body.length + 8);
    file.putInt(RegistrySnapshot.MAGIC).putInt(3).put(body).putLong(crc.getValue());
    Path path = dir.resolve("handmade.snap");
    Files.write(path, file.array());
    return path;
  }

  private static BinaryWriter bodyWithoutApps() {
    return new BinaryWriter().writeLong(1).writeLong(0).writeLong(0).writeInt(0);
  }

  @Test
  void aHandMadeVersion3BodyWithOneRecentChangeReads() throws IOException {
    Instance removed = busyRegistryWithEureka().recentChanges().all().iterator().next().instance();
    BinaryWriter w = bodyWithoutApps().writeInt(1).writeLong(5).writeByte(2);
    ModelCodec.writeInstance(w, removed, 3);

    RegistrySnapshot read = RegistrySnapshot.readFrom(fileOfVersion3Body(w.toByteArray()));

    assertThat(read.recent())
        .containsExactly(new RecentChanges.Change(5, RecentChanges.Action.DELETED, removed));
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 127, 255})
  void aRecentChangeWithAnUnknownActionIsRejectedDespiteAGoodChecksum(int action)
      throws IOException {
    Instance removed = busyRegistryWithEureka().recentChanges().all().iterator().next().instance();
    BinaryWriter w = bodyWithoutApps().writeInt(1).writeLong(5).writeByte(action);
    ModelCodec.writeInstance(w, removed, 3);
    Path file = fileOfVersion3Body(w.toByteArray());

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("action");
  }

  @Test
  void aNegativeRecentChangeCountIsRejectedDespiteAGoodChecksum() throws IOException {
    Path file = fileOfVersion3Body(bodyWithoutApps().writeInt(-1).toByteArray());

    assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("recent change count");
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

  /** A registry its snapshot is written in format {@code version} for. */
  static Registry registryOfFormatVersion(int version) {
    return switch (version) {
      case 1 -> busyRegistry();
      case 2 -> busyRegistryWithARegion();
      case 3 -> busyRegistryWithEureka();
      case 4 -> busyRegistryWithEvictions();
      default -> throw new IllegalArgumentException("no format version " + version);
    };
  }

  private byte[] fileOfFormatVersion(int version) throws IOException {
    byte[] bytes =
        Files.readAllBytes(
            write(RegistrySnapshot.capture(registryOfFormatVersion(version), LAST_APPLIED_TS)));
    assertThat(ByteBuffer.wrap(bytes).getInt(4)).as("format version").isEqualTo(version);
    return bytes;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void anyFlippedByteAfterTheHeaderIsRejected(int version) throws IOException {
    byte[] good = fileOfFormatVersion(version);
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

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void truncatedFileIsRejectedAtEveryLength(int version) throws IOException {
    byte[] good = fileOfFormatVersion(version);
    Path file = dir.resolve("short.snap");
    for (int length = 0; length < good.length; length++) {
      Files.write(file, Arrays.copyOf(good, length));
      int len = length;
      assertThatThrownBy(() -> RegistrySnapshot.readFrom(file))
          .as("file cut to %d of %d bytes", len, good.length)
          .isInstanceOf(CodecException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void trailingGarbageIsRejected(int version) throws IOException {
    byte[] good = fileOfFormatVersion(version);
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
