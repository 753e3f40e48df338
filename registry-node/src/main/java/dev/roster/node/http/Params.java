package dev.roster.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of one request, from the query string and a form or JSON body, with typed
 * accessors that reject bad input with a message naming the parameter.
 */
public final class Params {
  private static final int MAX_ID_LENGTH = 256;
  /** Parameters whose value is a JSON object; in a JSON body they may be given as one. */
  private static final Set<String> JSON_OBJECT_PARAMS = Set.of("metadata");

  private final Map<String, List<String>> values;

  Params(Map<String, List<String>> values) {
    this.values = values;
  }

  public static Params of(Map<String, List<String>> values) {
    return new Params(values);
  }

  static Params parse(FullHttpRequest request, ObjectMapper json) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    try {
      new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8)
          .parameters()
          .forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    } catch (IllegalArgumentException e) {
      throw new ApiException(Code.BAD_REQUEST, "query string is malformed: " + e.getMessage());
    }
    if (request.content().readableBytes() == 0) {
      return new Params(values);
    }
    String body = request.content().toString(StandardCharsets.UTF_8);
    String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase();
    if (type.startsWith("application/json")) {
      readJson(body, json, values);
    } else if (type.isEmpty() || type.startsWith("application/x-www-form-urlencoded")) {
      try {
        new QueryStringDecoder(body, StandardCharsets.UTF_8, false)
            .parameters()
            .forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      } catch (IllegalArgumentException e) {
        throw new ApiException(Code.BAD_REQUEST, "form body is malformed: " + e.getMessage());
      }
    } else {
      throw new ApiException(Code.BAD_REQUEST,
          "Content-Type '" + type + "' is not supported (use application/x-www-form-urlencoded or application/json)");
    }
    return new Params(values);
  }

  /**
   * A JSON object body: scalars become one value, arrays of scalars several; objects stay JSON
   * text, and only where one is expected (metadata). A key given twice is refused like a
   * parameter given twice, instead of the last one silently winning.
   */
  private static void readJson(String body, ObjectMapper json, Map<String, List<String>> values) {
    JsonNode root;
    try {
      root = json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(Code.BAD_REQUEST, "body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(Code.BAD_REQUEST, "body must be a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      List<String> list = values.computeIfAbsent(field.getKey(), x -> new ArrayList<>());
      JsonNode v = field.getValue();
      if (v.isArray()) {
        v.forEach(item -> list.add(jsonText(field.getKey(), item)));
      } else if (!v.isNull()) {
        list.add(jsonText(field.getKey(), v));
      }
    }
  }

  private static String jsonText(String name, JsonNode node) {
    if (node.isObject() && JSON_OBJECT_PARAMS.contains(name)) {
      return node.toString();
    }
    if (node.isContainerNode() || node.isNull()) {
      throw ApiException.badParam(name, "must be a string or a list of strings, not a JSON "
          + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return node.asText();
  }

  public boolean has(String name) {
    List<String> v = values.get(name);
    return v != null && !v.isEmpty();
  }

  /** The single value of an optional parameter, or null; given twice is an error. */
  public String optional(String name) {
    List<String> v = values.get(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (v.size() > 1) {
      throw ApiException.badParam(name, "must be given once, got " + v.size() + " values");
    }
    return v.get(0);
  }

  /** A required, non-blank single value. */
  public String required(String name) {
    String v = optional(name);
    if (v == null || v.isBlank()) {
      throw ApiException.badParam(name, "is required");
    }
    return v;
  }

  /** A required identifier (appid, env, hostname, zone): no spaces or control characters. */
  public String identifier(String name) {
    return checkIdentifier(name, required(name));
  }

  /** An optional identifier; blank counts as absent. */
  public String optionalIdentifier(String name) {
    String v = optional(name);
    return v == null || v.isEmpty() ? null : checkIdentifier(name, v);
  }

  /** All values of a repeated parameter (possibly none); each must be non-blank. */
  public List<String> list(String name) {
    List<String> v = values.getOrDefault(name, List.of());
    for (String item : v) {
      if (item.isBlank()) {
        throw ApiException.badParam(name, "must not contain empty values");
      }
    }
    return List.copyOf(v);
  }

  /** A repeated parameter that must have at least one value. */
  public List<String> requiredList(String name) {
    List<String> v = list(name);
    if (v.isEmpty()) {
      throw ApiException.badParam(name, "is required (one or more values)");
    }
    return v;
  }

  public List<String> identifierList(String name) {
    List<String> v = requiredList(name);
    v.forEach(item -> checkIdentifier(name, item));
    return v;
  }

  public int intParam(String name, int defaultValue) {
    String v = optional(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badParam(name, "must be an integer, got '" + v + "'");
    }
  }

  public long nonNegativeLong(String name, long defaultValue) {
    String v = optional(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badParam(name, "must be a non-negative integer, got '" + v + "'");
    }
    if (n < 0) {
      throw ApiException.badParam(name, "must be a non-negative integer, got '" + v + "'");
    }
    return n;
  }

  public boolean bool(String name, boolean defaultValue) {
    String v = optional(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    return switch (v.trim().toLowerCase()) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw ApiException.badParam(name, "must be true or false, got '" + v + "'");
    };
  }

  private static String checkIdentifier(String name, String v) {
    if (v.length() > MAX_ID_LENGTH) {
      throw ApiException.badParam(name, "is longer than " + MAX_ID_LENGTH + " characters");
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
        throw ApiException.badParam(name, "must not contain spaces or control characters");
      }
    }
    return v;
  }
}
