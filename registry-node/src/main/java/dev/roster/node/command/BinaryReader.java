package dev.roster.node.command;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads what {@link BinaryWriter} wrote; any malformed input is a {@link CodecException}. */
public final class BinaryReader {
  /** No single string, list or map in a command or snapshot is larger than this. */
  private static final int MAX_LENGTH = 64 * 1024 * 1024;

  private final DataInputStream in;

  public BinaryReader(InputStream in) {
    this.in = new DataInputStream(in);
  }

  public int readByte() {
    try {
      return in.readByte();
    } catch (IOException e) {
      throw truncated(e);
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
      return in.readInt();
    } catch (IOException e) {
      throw truncated(e);
    }
  }

  public long readLong() {
    try {
      return in.readLong();
    } catch (IOException e) {
      throw truncated(e);
    }
  }

  public String readString() {
    int len = readInt();
    if (len == -1) {
      return null;
    }
    checkLength(len);
    byte[] bytes = new byte[len];
    try {
      in.readFully(bytes);
    } catch (IOException e) {
      throw truncated(e);
    }
    return new String(bytes, StandardCharsets.UTF_8);
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
    try {
      return in.available() == 0 && in.read() == -1;
    } catch (IOException e) {
      throw truncated(e);
    }
  }

  private static void checkLength(int len) {
    if (len < 0 || len > MAX_LENGTH) {
      throw new CodecException("bad length " + len);
    }
  }

  private static CodecException truncated(IOException e) {
    return new CodecException(e instanceof EOFException ? "truncated input" : e.toString(), e);
  }
}
