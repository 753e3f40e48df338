package dev.roster.node.command;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what {@link BinaryWriter} wrote (big-endian, as {@code DataOutputStream}); any malformed
 * input is a {@link CodecException}. Reads straight from a buffer — a command's bytes or a
 * memory-mapped snapshot — without a stream per byte.
 */
public final class BinaryReader {
  /** No single string, list or map in a command or snapshot is larger than this. */
  private static final int MAX_LENGTH = 64 * 1024 * 1024;

  private final ByteBuffer in;

  /** Reads {@code in} from its position to its limit (a view: {@code in} itself does not move). */
  public BinaryReader(ByteBuffer in) {
    this.in = in.slice().order(ByteOrder.BIG_ENDIAN);
  }

  public BinaryReader(byte[] bytes) {
    this(ByteBuffer.wrap(bytes));
  }

  public int readByte() {
    try {
      return in.get();
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  public boolean readBoolean() {
    int b = readByte();
    if (b != 0 && b != 1) {
      throw new CodecException("bad boolean " + b);
    }
    return b == 1;
  }

  public int readInt() {
    try {
      return in.getInt();
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  public long readLong() {
    try {
      return in.getLong();
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  public String readString() {
    int len = readInt();
    if (len == -1) {
      return null;
    }
    checkLength(len);
    if (len > in.remaining()) {
      throw truncated();
    }
    String s;
    if (in.hasArray()) {
      s = new String(in.array(), in.arrayOffset() + in.position(), len, StandardCharsets.UTF_8);
    } else {
      byte[] bytes = new byte[len];
      in.get(in.position(), bytes);
      s = new String(bytes, StandardCharsets.UTF_8);
    }
    in.position(in.position() + len);
    return s;
  }

  public String readRequiredString() {
    String s = readString();
    if (s == null) {
      throw new CodecException("unexpected null string");
    }
    return s;
  }

  public List<String> readStrings() {
    int n = readInt();
    checkLength(n);
    List<String> list = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      list.add(readRequiredString());
    }
    return list;
  }

  public Map<String, String> readStringMap() {
    int n = readInt();
    if (n == -1) {
      return null;
    }
    checkLength(n);
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < n; i++) {
      map.put(readRequiredString(), readRequiredString());
    }
    return map;
  }

  /** True when every byte has been read. */
  public boolean atEnd() {
    return !in.hasRemaining();
  }

  private static void checkLength(int len) {
    if (len < 0 || len > MAX_LENGTH) {
      throw new CodecException("bad length " + len);
    }
  }

  private static CodecException truncated() {
    return new CodecException("truncated input");
  }
}
