package dev.roster.node.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import dev.roster.node.model.Status;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCodecTest {
  private static final Instance INSTANCE =
      new Instance(
          "cn-east",
          "sh001",
          "prod",
          "main.web.svc",
          "host-1",
          List.of("http://a:1", "grpc://a:2"),
          "v9",
          Status.WAITING,
          Map.of("k1", "v1", "k2", ""),
          1,
          2,
          3,
          4,
          Long.MAX_VALUE,
          Lease.DEFAULT,
          Map.of());

  private static BinaryReader reader(byte[] bytes) {
    return new BinaryReader(bytes);
  }

  @Test
  void instanceRoundTripsWithAllTimestamps() {
    BinaryWriter w = new BinaryWriter();
    ModelCodec.writeInstance(w, INSTANCE, ModelCodec.LAYOUT_WITH_REGION);
    BinaryReader r = reader(w.toByteArray());

    assertThat(ModelCodec.readInstance(r, ModelCodec.LAYOUT_WITH_REGION)).isEqualTo(INSTANCE);
    assertThat(r.atEnd()).isTrue();
  }

  @Test
  void specRoundTrips() {
    for (InstanceSpec spec :
        List.of(
            new InstanceSpec("z", "e", "a", "h", List.of("x"), null, Status.UP, null),
            new InstanceSpec(
                "cn-north",
                "z",
                "e",
                "a",
                "h",
                List.of("x"),
                "v",
                Status.WAITING,
                Map.of("k", "v")))) {
      BinaryWriter w = new BinaryWriter();
      ModelCodec.writeSpec(w, spec, ModelCodec.LAYOUT_WITH_REGION);
      BinaryReader r = reader(w.toByteArray());

      assertThat(ModelCodec.readSpec(r, ModelCodec.LAYOUT_WITH_REGION)).isEqualTo(spec);
      assertThat(r.atEnd()).isTrue();
    }
  }

  @Test
  void streamingWriterWritesTheSameBytesAsTheBufferedOne() {
    BinaryWriter buffered = new BinaryWriter();
    ModelCodec.writeInstance(buffered, INSTANCE, ModelCodec.LAYOUT_WITH_REGION);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryWriter streaming = new BinaryWriter(out);
    ModelCodec.writeInstance(streaming, INSTANCE, ModelCodec.LAYOUT_WITH_REGION);
    streaming.flush();

    assertThat(out.toByteArray()).isEqualTo(buffered.toByteArray());
    assertThatThrownBy(streaming::toByteArray).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void truncatedInstanceThrows() {
    BinaryWriter w = new BinaryWriter();
    ModelCodec.writeInstance(w, INSTANCE, ModelCodec.LAYOUT_WITH_REGION);
    byte[] bytes = w.toByteArray();

    for (int len = 0; len < bytes.length; len++) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      assertThatThrownBy(
              () -> ModelCodec.readInstance(reader(prefix), ModelCodec.LAYOUT_WITH_REGION))
          .as("prefix of %d bytes", len)
          .isInstanceOf(CodecException.class);
    }
  }

  @Test
  void readerDistinguishesNullFromEmptyStringsAndMaps() {
    byte[] bytes =
        new BinaryWriter()
            .writeString(null)
            .writeString("")
            .writeStringMap(null)
            .writeStringMap(Map.of())
            .toByteArray();
    BinaryReader r = reader(bytes);

    assertThat(r.readString()).isNull();
    assertThat(r.readString()).isEmpty();
    assertThat(r.readStringMap()).isNull();
    assertThat(r.readStringMap()).isEmpty();
    assertThat(r.atEnd()).isTrue();
  }

  private static final Instance EUREKA_INSTANCE =
      new Instance(
          "",
          "sh001",
          "prod",
          "main.web.svc",
          "host-1",
          List.of("http://a:1"),
          "",
          Status.UP,
          Map.of(),
          1,
          2,
          3,
          4,
          5,
          new Lease(5_000, 15_000),
          Map.of("eureka.status", "UP", "eureka.instance", "{}"));

  @Test
  void instanceOfLayout3RoundTripsWithItsLeaseAndExtensions() {
    BinaryWriter w = new BinaryWriter();
    ModelCodec.writeInstance(w, EUREKA_INSTANCE, ModelCodec.LAYOUT_WITH_LEASE);
    BinaryReader r = reader(w.toByteArray());

    assertThat(ModelCodec.readInstance(r, ModelCodec.LAYOUT_WITH_LEASE)).isEqualTo(EUREKA_INSTANCE);
    assertThat(r.atEnd()).isTrue();
  }

  @Test
  void layout3IsLayout2ThenTheLeaseAndTheExtensions() {
    BinaryWriter v2 = new BinaryWriter();
    ModelCodec.writeInstance(v2, EUREKA_INSTANCE, ModelCodec.LAYOUT_WITH_REGION);
    BinaryWriter v3 = new BinaryWriter();
    ModelCodec.writeInstance(v3, EUREKA_INSTANCE, ModelCodec.LAYOUT_WITH_LEASE);
    byte[] tail =
        new BinaryWriter()
            .writeLong(5_000)
            .writeLong(15_000)
            .writeStringMap(EUREKA_INSTANCE.extensions())
            .toByteArray();

    byte[] expected = Arrays.copyOf(v2.toByteArray(), v2.toByteArray().length + tail.length);
    System.arraycopy(tail, 0, expected, v2.toByteArray().length, tail.length);
    assertThat(v3.toByteArray()).isEqualTo(expected);
  }

  @Test
  void theOldestLayoutThatHoldsAnInstanceIsChosen() {
    assertThat(ModelCodec.layoutFor("", Lease.DEFAULT, Map.of()))
        .isEqualTo(ModelCodec.LAYOUT_WITHOUT_REGION);
    assertThat(ModelCodec.layoutFor("cn", Lease.DEFAULT, Map.of()))
        .isEqualTo(ModelCodec.LAYOUT_WITH_REGION);
    assertThat(ModelCodec.layoutFor("", new Lease(0, 1), Map.of()))
        .isEqualTo(ModelCodec.LAYOUT_WITH_LEASE);
    assertThat(ModelCodec.layoutFor("", new Lease(1, 0), Map.of()))
        .isEqualTo(ModelCodec.LAYOUT_WITH_LEASE);
    assertThat(ModelCodec.layoutFor("cn", Lease.DEFAULT, Map.of("k", "v")))
        .isEqualTo(ModelCodec.LAYOUT_WITH_LEASE);
    assertThat(ModelCodec.layoutFor(EUREKA_INSTANCE)).isEqualTo(ModelCodec.LAYOUT_WITH_LEASE);
    assertThat(ModelCodec.layoutFor(INSTANCE)).isEqualTo(ModelCodec.LAYOUT_WITH_REGION);
  }

  @Test
  void truncatedInstanceOfLayout3Throws() {
    BinaryWriter w = new BinaryWriter();
    ModelCodec.writeInstance(w, EUREKA_INSTANCE, ModelCodec.LAYOUT_WITH_LEASE);
    byte[] bytes = w.toByteArray();

    for (int len = 0; len < bytes.length; len++) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      assertThatThrownBy(
              () -> ModelCodec.readInstance(reader(prefix), ModelCodec.LAYOUT_WITH_LEASE))
          .as("prefix of %d bytes", len)
          .isInstanceOf(CodecException.class);
    }
  }
}
