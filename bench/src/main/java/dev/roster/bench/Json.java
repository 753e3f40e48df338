package dev.roster.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough JSON reading for Roster's envelopes: a few top-level or last-occurring fields. */
final class Json {
  private static final Pattern CODE = Pattern.compile("^\\{\"code\":(-?\\d+)");
  private static final String LATEST = "\"latest_timestamp\":";

  private Json() {}

  /** The envelope's {@code code}, or Integer.MIN_VALUE if the body does not start with one. */
  static int code(String body) {
    if (body == null) {
      return Integer.MIN_VALUE;
    }
    Matcher m = CODE.matcher(body);
    return m.find() ? Integer.parseInt(m.group(1)) : Integer.MIN_VALUE;
  }

  /**
   * The last {@code "latest_timestamp":N} of the body: in a fetch or poll answer that is the
   * application's; in a register answer, the instance's (the command's timestamp). -1 if none.
   */
  static long lastLatestTimestamp(String body) {
    int i = body.lastIndexOf(LATEST);
    if (i < 0) {
      return -1;
    }
    return number(body, i + LATEST.length());
  }

  /** The number that follows {@code "name":} at its first occurrence, or -1. */
  static long longField(String body, String name) {
    String key = "\"" + name + "\":";
    int i = body.indexOf(key);
    return i < 0 ? -1 : number(body, i + key.length());
  }

  /** The string value of {@code "name":"..."} at its first occurrence (no escapes), or null. */
  static String stringField(String body, String name) {
    String key = "\"" + name + "\":\"";
    int i = body.indexOf(key);
    if (i < 0) {
      return null;
    }
    int start = i + key.length();
    int end = body.indexOf('"', start);
    return end < 0 ? null : body.substring(start, end);
  }

  private static long number(String s, int from) {
    long v = 0;
    int i = from;
    boolean any = false;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      v = v * 10 + (s.charAt(i) - '0');
      i++;
      any = true;
    }
    return any ? v : -1;
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
