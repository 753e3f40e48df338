package dev.roster.node.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandCodecTest {
  private static final long TS = 1_700_000_000_123_456_789L;

  private static InstanceSpec spec() {
    return new InstanceSpec(
        "sh001", "prod", "main.web.svc", "host-1", List.of("http://10.0.0.1:80", "grpc://10.0.0.1:90"),
        "v1.2.3", Status.WAITING, Map.of("weight", "10", "color", "blue", "ünïcødé", "值"));
  }

  static Stream<RegistryCommand> everyCommandType() {
    return Stream.of(
        new RegisterCommand(TS, spec()),
        new RegisterCommand(
            -1, new InstanceSpec("", "e", "a", "h", List.of(), "", Status.UP, Map.of())),
        new RenewCommand(TS, "prod", "main.web.svc", "host-1"),
        new CancelCommand(TS, "prod", "main.web.svc", "host-1"),
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
                new EvictTarget("prod", "main.web.svc", "host-1", 42),
                new EvictTarget("uat", "other", "host-2", Long.MIN_VALUE)),
            true),
        new EvictCommand(TS, List.of(new EvictTarget("prod", "a", "h", 7)), false),
        new EvictCommand(Long.MAX_VALUE, List.of(), true),
        new RenewBatchCommand(TS, List.of(
            new RenewBatchCommand.Key("prod", "main.web.svc", "host-1"),
            new RenewBatchCommand.Key("uat", "other", "host-2"))));
  }

  @ParameterizedTest
  @MethodSource("everyCommandType")
  void everyCommandTypeRoundTripsEqual(RegistryCommand command) {
    RegistryCommand decoded = CommandCodec.decode(CommandCodec.encode(command));

    assertThat(decoded).isEqualTo(command);
    assertThat(decoded.type()).isEqualTo(command.type());
    assertThat(decoded.ts()).isEqualTo(command.ts());
  }

  @Test
  void setChangeWithNullStatusOrNullMetadataRoundTripsAsNull() {
    SetCommand c =
        new SetCommand(
            TS, "prod", "app",
            List.of(new SetChange("h1", null, Map.of("k", "v")), new SetChange("h2", Status.UP, null)));

    SetCommand decoded = (SetCommand) CommandCodec.decode(CommandCodec.encode(c));

    assertThat(decoded.changes().get(0).status()).isNull();
    assertThat(decoded.changes().get(0).metadata()).isEqualTo(Map.of("k", "v"));
    assertThat(decoded.changes().get(1).status()).isEqualTo(Status.UP);
    assertThat(decoded.changes().get(1).metadata()).isNull();
  }

  @Test
  void encodingStartsWithFormatVersionTypeTagAndTs() {
    byte[] bytes = CommandCodec.encode(new RenewCommand(0x0102030405060708L, "e", "a", "h"));

    assertThat(bytes)
        .containsExactly(
            1, // format version
            2, // RENEW
            1, 2, 3, 4, 5, 6, 7, 8, // ts, big-endian
            0, 0, 0, 1, 'e',
            0, 0, 0, 1, 'a',
            0, 0, 0, 1, 'h');
  }

  @Test
  void typeTagsNeverChange() {
    assertThat(RegistryCommand.Type.REGISTER.tag).isEqualTo((byte) 1);
    assertThat(RegistryCommand.Type.RENEW.tag).isEqualTo((byte) 2);
    assertThat(RegistryCommand.Type.CANCEL.tag).isEqualTo((byte) 3);
    assertThat(RegistryCommand.Type.SET.tag).isEqualTo((byte) 4);
    assertThat(RegistryCommand.Type.EVICT.tag).isEqualTo((byte) 5);
    assertThat(RegistryCommand.Type.RENEW_BATCH.tag).isEqualTo((byte) 6);
  }

  @Test
  void decodeOfByteBufferReadsOnlyItsRemainingBytesAndLeavesItsPosition() {
    RegistryCommand c = new CancelCommand(TS, "prod", "app", "h1");
    byte[] encoded = CommandCodec.encode(c);
    ByteBuffer buf = ByteBuffer.allocate(encoded.length + 3);
    buf.put((byte) 9).put(encoded).put((byte) 9).put((byte) 9);
    buf.position(1).limit(1 + encoded.length);

    assertThat(CommandCodec.decode(buf)).isEqualTo(c);
    assertThat(buf.position()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(bytes = {0, 2, 99, -1})
  void wrongFormatVersionThrows(byte version) {
    byte[] bytes = CommandCodec.encode(new RenewCommand(TS, "e", "a", "h"));
    bytes[0] = version;

    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("version");
  }

  @ParameterizedTest
  @ValueSource(bytes = {0, 7, 127, -128})
  void unknownTypeTagThrows(byte tag) {
    byte[] bytes = CommandCodec.encode(new RenewCommand(TS, "e", "a", "h"));
    bytes[1] = tag;

    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("type");
  }

  @ParameterizedTest
  @MethodSource("everyCommandType")
  void everyTruncationOfAnEncodedCommandThrows(RegistryCommand command) {
    byte[] bytes = CommandCodec.encode(command);

    for (int len = 0; len < bytes.length; len++) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> CommandCodec.decode(prefix))
          .as("prefix of %d of %d bytes", len, bytes.length)
          .isInstanceOf(CodecException.class);
    }
  }

  @ParameterizedTest
  @MethodSource("everyCommandType")
  void trailingBytesThrow(RegistryCommand command) {
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

  // ---- hand-made bodies that no encoder would write ----

  private static BinaryWriter header(RegistryCommand.Type type) {
    return new BinaryWriter().writeByte(CommandCodec.FORMAT_VERSION).writeByte(type.tag).writeLong(TS);
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
            .writeString("e").writeString(null).writeString("h").toByteArray();

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
        header(RegistryCommand.Type.SET).writeString("e").writeString("a").writeInt(0).toByteArray();

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
