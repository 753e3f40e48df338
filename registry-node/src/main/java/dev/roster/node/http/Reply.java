package dev.roster.node.http;

import java.util.Map;

/** One response: envelope code, message and data, plus any extra headers (Location, Allow). */
public record Reply(Code code, String message, Object data, Map<String, String> headers) {
  public Reply {
    message = message == null ? "" : message;
    headers = Map.copyOf(headers);
  }

  public static Reply ok(Object data) {
    return new Reply(Code.OK, "", data, Map.of());
  }

  public static Reply of(Code code, String message) {
    return new Reply(code, message, null, Map.of());
  }

  /** The JSON envelope of the contract: {@code {"code": ..., "message": ..., "data": ...}}. */
  public Map<String, Object> envelope() {
    Map<String, Object> envelope = new java.util.LinkedHashMap<>();
    envelope.put("code", code.value);
    envelope.put("message", message);
    envelope.put("data", data);
    return envelope;
  }

  public static Reply notModified() {
    return of(Code.NOT_MODIFIED, "not modified");
  }
}
