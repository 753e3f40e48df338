package dev.roster.node.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import dev.roster.node.testing.FormatV1;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandCodecTest {
  private static final long TS = 1_700_000_000_123_456_789L;

  private static InstanceSpec spec() {
    return new InstanceSpec(
        "sh001",
        "prod",
        "main.web.svc",
        "host-1",
        List.of("http://10.0.0.1:80", "grpc://10.0.0.1:90"),
        "v1.2.3",
        Status.WAITING,
        Map.of("weight", "10", "color", "blue", "ünïcødé", "值"));
  }

  static Stream<RegistryCommand<?>> everyCommandType() {
    return Stream.of(
        new RegisterCommand(TS, spec()),
        new RegisterCommand(
            -1, new InstanceSpec("", "e", "a", "h", List.of(), "", Status.UP, Map.of())),
        new RegisterCommand(
            TS,
            new InstanceSpec(
                "cn-east-1",
                "sh001",
                "prod",
                "main.web.svc",
                "host-1",
                List.of("http://10.0.0.1:80"),
                "v2",
                Status.UP,
                Map.of("k", "v"))),
        new RenewCommand(TS, new InstanceKey("prod", "main.web.svc", "host-1")),
        new CancelCommand(TS, new InstanceKey("prod", "main.web.svc", "host-1")),
        new SetCommand(
            TS,
            "prod",
            "main.web.svc",
            List.of(
                new SetChange("host-1", Status.UP, null),
                new SetChange("host-2", null, Map.of("k", "v")),
                new SetChange("host-3", Status.WAITING, Map.of()),
                new SetChange("host-4", Status.UP, Map.of("a", "1", "b", "2")))),
        new EvictCommand(
            TS,
            List.of(
                new EvictTarget(new InstanceKey("prod", "main.web.svc", "host-1"), 42),
                new EvictTarget(new InstanceKey("uat", "other", "host-2"), Long.MIN_VALUE)),
            true),
        new EvictCommand(TS, List.of(new EvictTarget(new InstanceKey("prod", "a", "h"), 7)), false),
        new EvictCommand(Long.MAX_VALUE, List.of(), true),
        evictWithACheck(),
        new EvictCommand(TS, List.of(), true, new EvictionLog.Check(false, 0, 0, 1)),
        new RenewBatchCommand(
            TS,
            List.of(
                new InstanceKey("prod", "main.web.svc", "host-1"),
                new InstanceKey("uat", "other", "host-2"))),
        eurekaRegister(),
        new EurekaRegisterCommand(
            -1,
            new InstanceSpec(
                "", "z", "e", "a", "h", List.of(), "", Status.WAITING, Map.of(), null, null)),
        eurekaStatus("OUT_OF_SERVICE"),
        eurekaStatus(null),
        registerWithALease(),
        registerWithExtensions());
  }

  @ParameterizedTest
  @MethodSource("everyCommandType")
  void everyCommandTypeRoundTripsEqual(RegistryCommand<?> command) {
    RegistryCommand<?> decoded = CommandCodec.decode(CommandCodec.encode(command));

    assertThat(decoded).isEqualTo(command);
    assertThat(decoded.type()).isEqualTo(command.type());
    assertThat(decoded.ts()).isEqualTo(command.ts());
  }

  @Test
  void setChangeWithNullStatusOrNullMetadataRoundTripsAsNull() {
    SetCommand c =
        new SetCommand(
            TS,
            "prod",
            "app",
            List.of(
                new SetChange("h1", null, Map.of("k", "v")), new SetChange("h2", Status.UP, null)));

    SetCommand decoded = (SetCommand) CommandCodec.decode(CommandCodec.encode(c));

    assertThat(decoded.changes().get(0).status()).isNull();
    assertThat(decoded.changes().get(0).metadata()).isEqualTo(Map.of("k", "v"));
    assertThat(decoded.changes().get(1).status()).isEqualTo(Status.UP);
    assertThat(decoded.changes().get(1).metadata()).isNull();
  }

  @Test
  void encodingStartsWithFormatVersionTypeTagAndTs() {
    byte[] bytes =
        CommandCodec.encode(new RenewCommand(0x0102030405060708L, new InstanceKey("e", "a", "h")));

    assertThat(bytes)
        .containsExactly(
            1, // format version: the oldest that holds a renew (see CommandCodec#encode)
            2, // RENEW
            1, 2, 3, 4, 5, 6, 7, 8, // ts, big-endian
            0, 0, 0, 1, 'e', 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'h');
  }

  @Test
  void typeTagsNeverChange() {
    assertThat(RegistryCommand.Type.REGISTER.tag).isEqualTo((byte) 1);
    assertThat(RegistryCommand.Type.RENEW.tag).isEqualTo((byte) 2);
    assertThat(RegistryCommand.Type.CANCEL.tag).isEqualTo((byte) 3);
    assertThat(RegistryCommand.Type.SET.tag).isEqualTo((byte) 4);
    assertThat(RegistryCommand.Type.EVICT.tag).isEqualTo((byte) 5);
    assertThat(RegistryCommand.Type.RENEW_BATCH.tag).isEqualTo((byte) 6);
    assertThat(RegistryCommand.Type.EUREKA_REGISTER.tag).isEqualTo((byte) 7);
    assertThat(RegistryCommand.Type.EUREKA_STATUS.tag).isEqualTo((byte) 8);
    assertThat(RegistryCommand.Type.values()).hasSize(8);
  }

  @Test
  void decodeOfByteBufferReadsOnlyItsRemainingBytesAndLeavesItsPosition() {
    RegistryCommand<?> c = new CancelCommand(TS, new InstanceKey("prod", "app", "h1"));
    byte[] encoded = CommandCodec.encode(c);
    ByteBuffer buf = ByteBuffer.allocate(encoded.length + 3);
    buf.put((byte) 9).put(encoded).put((byte) 9).put((byte) 9);
    buf.position(1).limit(1 + encoded.length);

    assertThat(CommandCodec.decode(buf)).isEqualTo(c);
    assertThat(buf.position()).isEqualTo(1);
  }

  @Test
  void registerOfFormatVersion2StartsItsBodyWithTheRegion() {
    InstanceSpec s = new InstanceSpec("cn", "z", "e", "a", "h", List.of(), "", Status.UP, Map.of());
    byte[] bytes = CommandCodec.encode(new RegisterCommand(0x0102030405060708L, s));

    assertThat(Arrays.copyOf(bytes, 10 + 6 + 5))
        .containsExactly(
            2, // format version
            1, // REGISTER
            1, 2, 3, 4, 5, 6, 7, 8, // ts
            0, 0, 0, 2, 'c', 'n', // region
            0, 0, 0, 1, 'z'); // zone
  }

  /**
   * Entries as the encoder of format version 1 wrote them (Roster at 42caf88, before regions), and
   * what they decode to now. A log written before the upgrade holds such entries until a snapshot
   * replaces them, so they must decode for good, REGISTER with region "".
   */
  static Stream<Arguments> entriesOfFormatVersion1() {
    return Stream.of(
        Arguments.of(
            "010117979cfe3d85cd150000000573683030310000000470726f640000000c6d61696e2e7765622e7376630000"
                + "0006686f73742d310000000200000012687474703a2f2f31302e302e302e313a383000000012677270633a2f"
                + "2f31302e302e302e313a39300000000676312e322e33000000020000000300000005636f6c6f720000000462"
                + "6c7565000000067765696768740000000231300000000bc3bc6ec3af63c3b864c3a900000003e580bc",
            new RegisterCommand(TS, spec())),
        Arguments.of(
            "010217979cfe3d85cd150000000470726f640000000c6d61696e2e7765622e73766300000006686f73742d31",
            new RenewCommand(TS, new InstanceKey("prod", "main.web.svc", "host-1"))),
        Arguments.of(
            "010317979cfe3d85cd150000000470726f640000000c6d61696e2e7765622e73766300000006686f73742d31",
            new CancelCommand(TS, new InstanceKey("prod", "main.web.svc", "host-1"))),
        Arguments.of(
            "010417979cfe3d85cd150000000470726f640000000c6d61696e2e7765622e7376630000000200000006686f"
                + "73742d310100000001ffffffff00000006686f73742d32000000000000000001000000016b0000000176",
            new SetCommand(
                TS,
                "prod",
                "main.web.svc",
                List.of(
                    new SetChange("host-1", Status.UP, null),
                    new SetChange("host-2", null, Map.of("k", "v"))))),
        Arguments.of(
            "010517979cfe3d85cd1501000000010000000470726f640000000c6d61696e2e7765622e73766300000006686f"
                + "73742d31000000000000002a",
            new EvictCommand(
                TS,
                List.of(new EvictTarget(new InstanceKey("prod", "main.web.svc", "host-1"), 42)),
                true)),
        Arguments.of(
            "010617979cfe3d85cd15000000020000000470726f640000000c6d61696e2e7765622e73766300000006686f"
                + "73742d3100000003756174000000056f7468657200000006686f73742d32",
            new RenewBatchCommand(
                TS,
                List.of(
                    new InstanceKey("prod", "main.web.svc", "host-1"),
                    new InstanceKey("uat", "other", "host-2")))));
  }

  @ParameterizedTest
  @MethodSource("entriesOfFormatVersion1")
  void entriesWrittenInFormatVersion1StillDecode(String hex, RegistryCommand<?> expected) {
    RegistryCommand<?> decoded = CommandCodec.decode(HexFormat.of().parseHex(hex));

    assertThat(decoded).isEqualTo(expected);
    if (decoded instanceof RegisterCommand register) {
      assertThat(register.spec().region()).isEmpty();
    }
  }

  /** The tests' version 1 writer (used where a whole node must start from old data) is faithful. */
  @ParameterizedTest
  @MethodSource("entriesOfFormatVersion1")
  void theTestsFormatVersion1WriterWritesWhatTheVersion1EncoderWrote(
      String hex, RegistryCommand<?> command) {
    assertThat(HexFormat.of().formatHex(FormatV1.entry(command))).isEqualTo(hex);
  }

  /**
   * A command that needs no region is written in format 1, byte for byte what the old version
   * wrote: during a rolling upgrade the nodes not yet upgraded keep reading the log.
   */
  @ParameterizedTest
  @MethodSource("entriesOfFormatVersion1")
  void commandsWithoutARegionAreWrittenAsTheOldVersionWroteThem(
      String hex, RegistryCommand<?> command) {
    assertThat(HexFormat.of().formatHex(CommandCodec.encode(command))).isEqualTo(hex);
  }

  /**
   * Golden bytes of format 2, which only a REGISTER with a region is written in (every other entry
   * is written as format 1: see {@link #entriesOfFormatVersion1()}).
   */
  private static final String REGISTER_WITH_REGION_FORMAT_2 =
      "020117979cfe3d85cd1500000009636e2d656173742d310000000573683030310000000470726f640000000c"
          + "6d61696e2e7765622e73766300000006686f73742d310000000100000012687474703a2f2f31302e302e"
          + "302e313a38300000000276320000000100000001000000016b0000000176";

  private static RegisterCommand registerWithRegion() {
    return new RegisterCommand(
        TS,
        new InstanceSpec(
            "cn-east-1",
            "sh001",
            "prod",
            "main.web.svc",
            "host-1",
            List.of("http://10.0.0.1:80"),
            "v2",
            Status.UP,
            Map.of("k", "v")));
  }

  @Test
  void aRegisterWithARegionIsWrittenAsTheCheckedInFormatVersion2Bytes() {
    assertThat(HexFormat.of().formatHex(CommandCodec.encode(registerWithRegion())))
        .isEqualTo(REGISTER_WITH_REGION_FORMAT_2);
  }

  @Test
  void theCheckedInFormatVersion2BytesDecode() {
    assertThat(CommandCodec.decode(HexFormat.of().parseHex(REGISTER_WITH_REGION_FORMAT_2)))
        .isEqualTo(registerWithRegion());
  }

  @Test
  void aRegisterWithARegionIsWrittenInFormatVersion2() {
    InstanceSpec s = spec();
    byte[] bytes =
        CommandCodec.encode(
            new RegisterCommand(
                TS,
                new InstanceSpec(
                    "cn-east",
                    s.zone(),
                    s.env(),
                    s.appid(),
                    s.hostname(),
                    s.addrs(),
                    s.version(),
                    s.status(),
                    s.metadata())));

    assertThat(bytes[0]).isEqualTo((byte) 2);
    assertThat(((RegisterCommand) CommandCodec.decode(bytes)).spec().region()).isEqualTo("cn-east");
  }

  // ---- format 3: the lease and extensions, and the Eureka commands ----

  private static EurekaRegisterCommand eurekaRegister() {
    return new EurekaRegisterCommand(
        TS,
        new InstanceSpec(
            "cn-east-1",
            "sh001",
            "prod",
            "main.web.svc",
            "host-1",
            List.of("http://10.0.0.1:80"),
            "v3",
            Status.UP,
            Map.of("k", "v"),
            new Lease(30_000, 90_000),
            Map.of(EurekaFields.STATUS, "UP", EurekaFields.LAST_DIRTY_TIMESTAMP, "1700000000000")));
  }

  private static EurekaStatusCommand eurekaStatus(String override) {
    return new EurekaStatusCommand(TS, new InstanceKey("prod", "main.web.svc", "host-1"), override);
  }

  /** A REGISTER with its own lease (and no region, no extensions): only format 3 holds it. */
  private static RegisterCommand registerWithALease() {
    return new RegisterCommand(
        TS,
        new InstanceSpec(
            "",
            "sh001",
            "prod",
            "main.web.svc",
            "host-1",
            List.of("http://10.0.0.1:80"),
            "v3",
            Status.WAITING,
            Map.of(),
            new Lease(5_000, 15_000),
            Map.of()));
  }

  /** A REGISTER with extensions (and the default lease): only format 3 holds it. */
  private static RegisterCommand registerWithExtensions() {
    return new RegisterCommand(
        TS,
        new InstanceSpec(
            "",
            "sh001",
            "prod",
            "main.web.svc",
            "host-1",
            List.of(),
            "",
            Status.UP,
            Map.of(),
            Lease.DEFAULT,
            Map.of("x.y", "z")));
  }

  /**
   * Golden bytes of format 3, written by this encoder when the format was introduced and checked by
   * hand against {@link ModelCodec}'s layout 3 (layout 2, then renew interval and duration as
   * longs, then the extensions as a map sorted by key). They must decode for good; an encoder that
   * writes anything else for these commands has changed the format, which needs a new version.
   */
  static Stream<Arguments> entriesOfFormatVersion3() {
    return Stream.of(
        Arguments.of(
            "030717979cfe3d85cd1500000009636e2d656173742d310000000573683030310000000470726f64000000"
                + "0c6d61696e2e7765622e73766300000006686f73742d310000000100000012687474703a2f2f31302e30"
                + "2e302e313a38300000000276330000000100000001000000016b0000000176000000000000753000000000"
                + "00015f900000000200000019657572656b612e6c617374446972747954696d657374616d700000000d3137"
                + "30303030303030303030300000000d657572656b612e737461747573000000025550",
            eurekaRegister()),
        Arguments.of(
            "030817979cfe3d85cd150000000470726f640000000c6d61696e2e7765622e73766300000006686f73742d"
                + "310000000e4f55545f4f465f53455256494345",
            eurekaStatus("OUT_OF_SERVICE")),
        Arguments.of(
            "030817979cfe3d85cd150000000470726f640000000c6d61696e2e7765622e73766300000006686f73742d"
                + "3100000000",
            eurekaStatus(null)),
        Arguments.of(
            "030117979cfe3d85cd15000000000000000573683030310000000470726f640000000c6d61696e2e776562"
                + "2e73766300000006686f73742d310000000100000012687474703a2f2f31302e302e302e313a38300000"
                + "00027633000000020000000000000000000013880000000000003a9800000000",
            registerWithALease()),
        Arguments.of(
            "030117979cfe3d85cd15000000000000000573683030310000000470726f640000000c6d61696e2e7765622e"
                + "73766300000006686f73742d3100000000000000000000000100000000000000000000000000000000000000"
                + "000000000100000003782e79000000017a",
            registerWithExtensions()));
  }

  @ParameterizedTest
  @MethodSource("entriesOfFormatVersion3")
  void theCheckedInFormatVersion3BytesDecode(String hex, RegistryCommand<?> command) {
    assertThat(CommandCodec.decode(HexFormat.of().parseHex(hex))).isEqualTo(command);
  }

  @ParameterizedTest
  @MethodSource("entriesOfFormatVersion3")
  void commandsOnlyFormatVersion3HoldsAreWrittenAsTheCheckedInBytes(
      String hex, RegistryCommand<?> command) {
    assertThat(HexFormat.of().formatHex(CommandCodec.encode(command))).isEqualTo(hex);
  }

  @Test
  void aEurekaStatusEntryIsTheKeyAndTheOverrideWithTheEmptyStringForADeletion() {
    InstanceKey key = new InstanceKey("e", "a", "h");

    assertThat(CommandCodec.encode(new EurekaStatusCommand(0x0102030405060708L, key, "UP")))
        .containsExactly(
            3, // format version
            8, // EUREKA_STATUS
            1, 2, 3, 4, 5, 6, 7, 8, // ts
            0, 0, 0, 1, 'e', 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'h', // key
            0, 0, 0, 2, 'U', 'P'); // override
    assertThat(CommandCodec.encode(new EurekaStatusCommand(0x0102030405060708L, key, null)))
        .endsWith(0, 0, 0, 1, 'h', 0, 0, 0, 0);
  }

  @Test
  void aRegisterOfFormatVersion3EndsWithTheLeaseAndTheExtensions() {
    InstanceSpec s =
        new InstanceSpec(
            "",
            "z",
            "e",
            "a",
            "h",
            List.of(),
            "",
            Status.UP,
            null,
            new Lease(1, 2),
            Map.of("k", "v"));
    byte[] bytes = CommandCodec.encode(new RegisterCommand(0x0102030405060708L, s));

    assertThat(bytes)
        .containsExactly(
            3, // format version
            1, // REGISTER
            1, 2, 3, 4, 5, 6, 7, 8, // ts
            0, 0, 0, 0, // region ""
            0, 0, 0, 1, 'z', 0, 0, 0, 1, 'e', 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'h', // zone to hostname
            0, 0, 0, 0, // addrs
            0, 0, 0, 0, // version ""
            0, 0, 0, 1, // UP
            0, 0, 0, 0, // metadata
            0, 0, 0, 0, 0, 0, 0, 1, // renew interval, ms
            0, 0, 0, 0, 0, 0, 0, 2, // duration, ms
            0, 0, 0, 1, 0, 0, 0, 1, 'k', 0, 0, 0, 1, 'v'); // extensions
  }

  /**
   * A REGISTER without a lease or extensions is still written in format 1 (no region) or 2: old
   * nodes keep reading the log until a client registers what only format 3 holds.
   */
  @Test
  void aRegisterWithoutALeaseOrExtensionsIsStillWrittenInFormatVersion1Or2() {
    InstanceSpec noRegion =
        new InstanceSpec("", "z", "e", "a", "h", List.of(), "", Status.UP, Map.of(), null, null);
    InstanceSpec region =
        new InstanceSpec(
            "cn", "z", "e", "a", "h", List.of(), "", Status.UP, Map.of(), Lease.DEFAULT, Map.of());

    assertThat(CommandCodec.encode(new RegisterCommand(TS, noRegion))[0]).isEqualTo((byte) 1);
    assertThat(CommandCodec.encode(new RegisterCommand(TS, region))[0]).isEqualTo((byte) 2);
    assertThat(CommandCodec.encode(registerWithALease())[0]).isEqualTo((byte) 3);
    assertThat(CommandCodec.encode(registerWithExtensions())[0]).isEqualTo((byte) 3);
    // the Eureka commands are format 3 even when their instance needs no more than format 1
    assertThat(CommandCodec.encode(new EurekaRegisterCommand(TS, noRegion))[0]).isEqualTo((byte) 3);
  }

  @Test
  void everyOtherCommandTypeIsStillWrittenInFormatVersion1() {
    // (an EVICT without a check included: that is what older versions wrote)
    everyCommandType()
        .filter(
            c ->
                c.type() != RegistryCommand.Type.REGISTER
                    && c.type() != RegistryCommand.Type.EUREKA_REGISTER
                    && c.type() != RegistryCommand.Type.EUREKA_STATUS
                    && !(c instanceof EvictCommand e && e.check() != null))
        .forEach(
            c -> assertThat(CommandCodec.encode(c)[0]).as(c.type().name()).isEqualTo((byte) 1));
  }

  @ParameterizedTest
  @ValueSource(bytes = {1, 2})
  void aEurekaCommandInFormatVersion1Or2IsRejected(byte version) {
    for (RegistryCommand<?> c :
        List.of(eurekaRegister(), eurekaStatus("OUT_OF_SERVICE"), eurekaStatus(null))) {
      byte[] bytes = CommandCodec.encode(c);
      bytes[0] = version;

      assertThatThrownBy(() -> CommandCodec.decode(bytes))
          .as(c.type().name())
          .isInstanceOf(CodecException.class)
          .hasMessageContaining(c.type().name())
          .hasMessageContaining("version " + version);
    }
  }

  @ParameterizedTest
  @ValueSource(bytes = {1, 2})
  void aRegisterOfFormatVersion3LabelledAnOlderVersionIsRejected(byte version) {
    for (RegisterCommand c : List.of(registerWithALease(), registerWithExtensions())) {
      byte[] bytes = CommandCodec.encode(c);
      bytes[0] = version;

      assertThatThrownBy(() -> CommandCodec.decode(bytes)).isInstanceOf(CodecException.class);
    }
  }

  @ParameterizedTest
  @MethodSource("entriesOfFormatVersion3")
  void everyTruncationOfAVersion3EntryThrows(String hex, RegistryCommand<?> command) {
    assertEveryPrefixThrows(HexFormat.of().parseHex(hex));
  }

  @Test
  void aNegativeLeaseInTheLogThrows() {
    BinaryWriter w = header(RegistryCommand.Type.REGISTER).writeString("");
    w.writeString("z").writeString("e").writeString("a").writeString("h");
    w.writeStrings(List.of()).writeString("v").writeInt(1).writeStringMap(Map.of());
    w.writeLong(-1).writeLong(0).writeStringMap(Map.of());

    assertThatThrownBy(() -> CommandCodec.decode(w.toByteArray()))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("renewIntervalMs");
  }

  @ParameterizedTest
  @MethodSource("entriesOfFormatVersion1")
  void everyTruncationOfAVersion1EntryThrows(String hex, RegistryCommand<?> command) {
    assertEveryPrefixThrows(HexFormat.of().parseHex(hex));
  }

  @ParameterizedTest
  @ValueSource(bytes = {0, 5, 99, -1})
  void wrongFormatVersionThrows(byte version) {
    byte[] bytes = CommandCodec.encode(new RenewCommand(TS, new InstanceKey("e", "a", "h")));
    bytes[0] = version;

    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("version");
  }

  @ParameterizedTest
  @ValueSource(bytes = {0, 9, 127, -128})
  void unknownTypeTagThrows(byte tag) {
    byte[] bytes = CommandCodec.encode(new RenewCommand(TS, new InstanceKey("e", "a", "h")));
    bytes[1] = tag;

    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("type");
  }

  @ParameterizedTest
  @MethodSource("everyCommandType")
  void everyTruncationOfAnEncodedCommandThrows(RegistryCommand<?> command) {
    assertEveryPrefixThrows(CommandCodec.encode(command));
  }

  private static void assertEveryPrefixThrows(byte[] bytes) {
    for (int len = 0; len < bytes.length; len++) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> CommandCodec.decode(prefix))
          .as("prefix of %d of %d bytes", len, bytes.length)
          .isInstanceOf(CodecException.class);
    }
  }

  @ParameterizedTest
  @MethodSource("everyCommandType")
  void trailingBytesThrow(RegistryCommand<?> command) {
    byte[] bytes = CommandCodec.encode(command);
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

    assertThatThrownBy(() -> CommandCodec.decode(longer))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void metadataEncodingIsIndependentOfMapIterationOrder() {
    Map<String, String> forward = new LinkedHashMap<>();
    Map<String, String> backward = new LinkedHashMap<>();
    for (int k = 0; k < 20; k++) {
      forward.put("key" + k, "value" + k);
    }
    List<String> keys = new ArrayList<>(forward.keySet());
    for (int k = keys.size() - 1; k >= 0; k--) {
      backward.put(keys.get(k), forward.get(keys.get(k)));
    }
    assertThat(new ArrayList<>(backward.keySet())).isNotEqualTo(keys);

    byte[] a = new BinaryWriter().writeStringMap(forward).toByteArray();
    byte[] b = new BinaryWriter().writeStringMap(backward).toByteArray();

    assertThat(a).isEqualTo(b);
  }

  @Test
  void commandsWithEqualMetadataBuiltInDifferentOrdersEncodeToEqualBytes() {
    Map<String, String> forward = new LinkedHashMap<>();
    Map<String, String> backward = new LinkedHashMap<>();
    for (int k = 0; k < 50; k++) {
      forward.put("key" + k, "value" + k);
      backward.put("key" + (49 - k), "value" + (49 - k));
    }
    InstanceSpec s1 = new InstanceSpec("z", "e", "a", "h", List.of(), "v", Status.UP, forward);
    InstanceSpec s2 = new InstanceSpec("z", "e", "a", "h", List.of(), "v", Status.UP, backward);
    SetCommand set1 = new SetCommand(TS, "e", "a", List.of(new SetChange("h", null, forward)));
    SetCommand set2 = new SetCommand(TS, "e", "a", List.of(new SetChange("h", null, backward)));

    assertThat(CommandCodec.encode(new RegisterCommand(TS, s1)))
        .isEqualTo(CommandCodec.encode(new RegisterCommand(TS, s2)));
    assertThat(CommandCodec.encode(set1)).isEqualTo(CommandCodec.encode(set2));
  }

  private static EvictCommand evictWithACheck() {
    return new EvictCommand(
        TS,
        List.of(
            new EvictTarget(
                new InstanceKey("prod", "main.web.svc", "host-1"), 42, EvictionReason.EXPIRED),
            new EvictTarget(
                new InstanceKey("uat", "other", "host-2"), 7, EvictionReason.PAST_CEILING)),
        true,
        new EvictionLog.Check(true, 12, 17, 1000));
  }

  @Test
  void anEvictWithACheckIsFormatVersion4WithTheDecisionAndEachTargetsReason() {
    EvictCommand c =
        new EvictCommand(
            0x0102030405060708L,
            List.of(
                new EvictTarget(new InstanceKey("e", "a", "h"), 9, EvictionReason.PAST_CEILING)),
            true,
            new EvictionLog.Check(true, 5, 7, 1000));

    assertThat(CommandCodec.encode(c))
        .containsExactly(
            4, // format version
            5, // EVICT
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8, // ts
            1, // roll the guard's window
            1, // protecting
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            5, // renews
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            7, // threshold
            0,
            0,
            3,
            (byte) 0xe8, // log capacity 1000
            0,
            0,
            0,
            1, // one target
            0,
            0,
            0,
            1,
            'e',
            0,
            0,
            0,
            1,
            'a',
            0,
            0,
            0,
            1,
            'h', // key
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            9, // renew timestamp seen
            2); // reason PAST_CEILING
  }

  @Test
  void anEvictWithoutACheckIsStillWrittenAsVersion1AndDecodesWithoutReasons() {
    EvictCommand old =
        new EvictCommand(TS, List.of(new EvictTarget(new InstanceKey("e", "a", "h"), 9)), true);

    byte[] bytes = CommandCodec.encode(old);

    assertThat(bytes[0]).isEqualTo((byte) 1);
    EvictCommand decoded = (EvictCommand) CommandCodec.decode(bytes);
    assertThat(decoded.check()).isNull();
    assertThat(decoded.targets().get(0).reason()).isEqualTo(EvictionReason.UNRECORDED);
  }

  @Test
  void everyTruncationOfAVersion4EvictThrows() {
    assertEveryPrefixThrows(CommandCodec.encode(evictWithACheck()));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3, 99, -1})
  void aVersion4EvictWithABadReasonThrows(int tag) {
    byte[] bytes = CommandCodec.encode(evictWithACheck());
    bytes[bytes.length - 1] = (byte) tag; // the last target's reason

    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("reason");
  }

  @Test
  void aVersion4EvictWithABadLogCapacityThrows() {
    byte[] bytes =
        header(RegistryCommand.Type.EVICT)
            .writeBoolean(true)
            .writeBoolean(false)
            .writeLong(0)
            .writeLong(0)
            .writeInt(0)
            .writeInt(0)
            .toByteArray();

    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("capacity");
  }

  // ---- hand-made bodies that no encoder would write ----

  private static BinaryWriter header(RegistryCommand.Type type) {
    return new BinaryWriter()
        .writeByte(CommandCodec.FORMAT_VERSION)
        .writeByte(type.tag)
        .writeLong(TS);
  }

  @Test
  void registerWithInvalidStatusThrows() {
    BinaryWriter w = header(RegistryCommand.Type.REGISTER);
    w.writeString("z").writeString("e").writeString("a").writeString("h");
    w.writeStrings(List.of()).writeString("v").writeInt(7).writeStringMap(Map.of());

    assertThatThrownBy(() -> CommandCodec.decode(w.toByteArray()))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void nullWhereAStringIsRequiredThrows() {
    byte[] bytes =
        header(RegistryCommand.Type.RENEW)
            .writeString("e")
            .writeString(null)
            .writeString("h")
            .toByteArray();

    assertThatThrownBy(() -> CommandCodec.decode(bytes)).isInstanceOf(CodecException.class);
  }

  @Test
  void negativeOrHugeStringLengthThrows() {
    byte[] negative = header(RegistryCommand.Type.CANCEL).writeInt(-5).toByteArray();
    byte[] huge = header(RegistryCommand.Type.CANCEL).writeInt(Integer.MAX_VALUE).toByteArray();

    assertThatThrownBy(() -> CommandCodec.decode(negative)).isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> CommandCodec.decode(huge)).isInstanceOf(CodecException.class);
  }

  @Test
  void setWithoutChangesInTheLogThrows() {
    byte[] bytes =
        header(RegistryCommand.Type.SET)
            .writeString("e")
            .writeString("a")
            .writeInt(0)
            .toByteArray();

    assertThatThrownBy(() -> CommandCodec.decode(bytes)).isInstanceOf(CodecException.class);
  }

  @Test
  void setChangeWithNeitherStatusNorMetadataThrows() {
    BinaryWriter w = header(RegistryCommand.Type.SET).writeString("e").writeString("a").writeInt(1);
    w.writeString("h").writeBoolean(false).writeInt(0).writeStringMap(null);

    assertThatThrownBy(() -> CommandCodec.decode(w.toByteArray()))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void badBooleanThrows() {
    byte[] bytes = header(RegistryCommand.Type.EVICT).writeByte(2).writeInt(0).toByteArray();

    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("boolean");
  }

  @Test
  void negativeEvictTargetCountThrows() {
    byte[] bytes = header(RegistryCommand.Type.EVICT).writeBoolean(true).writeInt(-1).toByteArray();

    assertThatThrownBy(() -> CommandCodec.decode(bytes)).isInstanceOf(CodecException.class);
  }

  @Test
  void emptyInputThrows() {
    assertThatThrownBy(() -> CommandCodec.decode(new byte[0])).isInstanceOf(CodecException.class);
  }
}
