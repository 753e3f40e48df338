package dev.roster.node.command;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Big-endian primitives, length-prefixed UTF-8 strings, lists and string maps. */
public final class BinaryWriter {
  private final ByteArrayOutputStream buffer;
  private final DataOutputStream out;

  public BinaryWriter() {
    this(128);
  }

  public BinaryWriter(int initialSize) {
    this.buffer = new ByteArrayOutputStream(initialSize);
    this.out = new DataOutputStream(buffer);
  }

  /** Writes straight to a stream (snapshots), without buffering everything in memory. */
  public BinaryWriter(OutputStream stream) {
    this.buffer = null;
    this.out = new DataOutputStream(stream);
  }

  public BinaryWriter writeByte(int b) {
    try {
      out.writeByte(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public BinaryWriter writeBoolean(boolean b) {
    return writeByte(b ? 1 : 0);
  }

  public BinaryWriter writeInt(int v) {
    try {
      out.writeInt(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public BinaryWriter writeLong(long v) {
    try {
      out.writeLong(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A string, or null (length -1). */
  public BinaryWriter writeString(String s) {
    if (s == null) {
      return writeInt(-1);
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    writeInt(bytes.length);
    try {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public BinaryWriter writeStrings(List<String> list) {
    writeInt(list.size());
    list.forEach(this::writeString);
    return this;
  }

  /** A string map, or null (size -1); keys sorted so equal maps encode to equal bytes. */
  public BinaryWriter writeStringMap(Map<String, String> map) {
    if (map == null) {
      return writeInt(-1);
    }
    writeInt(map.size());
    new TreeMap<>(map)
        .forEach(
            (k, v) -> {
              writeString(k);
              writeString(v);
            });
    return this;
  }

  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] toByteArray() {
    if (buffer == null) {
      throw new IllegalStateException("writer is streaming");
    }
    return buffer.toByteArray();
  }
}
