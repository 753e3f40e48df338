package dev.roster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** An ordered JSON object for the driver's result files (maps, collections, numbers, strings). */
final class Report {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  Report put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  Map<String, Object> fields() {
    return fields;
  }

  @Override
  public String toString() {
    return toJson();
  }

  String toJson() {
    StringBuilder b = new StringBuilder();
    write(b, fields);
    return b.toString();
  }

  void writeTo(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, toJson() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Report r) {
      write(b, r.fields);
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        b.append(Json.quote(String.valueOf(e.getKey()))).append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof Collection<?> c) {
      b.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(b, o);
      }
      b.append(']');
    } else if (v instanceof long[] a) {
      b.append('[');
      for (int i = 0; i < a.length; i++) {
        b.append(i == 0 ? "" : ",").append(a[i]);
      }
      b.append(']');
    } else if (v instanceof Double d) {
      b.append(
          d.isNaN() || d.isInfinite() ? "null" : String.format(java.util.Locale.ROOT, "%.3f", d));
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else {
      b.append(Json.quote(v.toString()));
    }
  }
}
