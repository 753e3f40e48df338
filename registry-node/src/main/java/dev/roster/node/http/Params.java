package dev.roster.node.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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

  /** The query string's parameters only (routes that read their body themselves). */
  static Params ofQuery(String uri) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    try {
      new QueryStringDecoder(uri, StandardCharsets.UTF_8)
          .parameters()
          .forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    } catch (IllegalArgumentException e) {
      throw new ApiException(Code.BAD_REQUEST, "query string is malformed: " + e.getMessage());
    }
    return new Params(values);
  }

  static Params parse(FullHttpRequest request, ObjectMapper json) {
    Map<String, List<String>> values = ofQuery(request.uri()).values;
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
      throw new ApiException(
          Code.BAD_REQUEST,
          "Content-Type '"
              + type
              + "' is not supported (use application/x-www-form-urlencoded or application/json)");
    }
    return new Params(values);
  }

  /**
   * A JSON object body: scalars become one value, arrays of scalars several; objects stay JSON
   * text, and only where one is expected (metadata). A key given twice is refused like a parameter
   * given twice, instead of the last one silently winning.
   */
  private static void readJson(String body, ObjectMapper json, Map<String, List<String>> values) {
    JsonNode root =
        readOneJsonValue(
            json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION),
            body,
            problem -> new ApiException(Code.BAD_REQUEST, "body " + problem));
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

  /**
   * The one JSON value {@code text} holds (null or a missing node if it holds none). Jackson's
   * {@code readTree} stops after the first value and ignores the rest, so {@code {...}{...}} or
   * {@code {...} junk} would pass with the rest dropped; anything but whitespace after the value is
   * refused here. {@code refusal} turns a problem ("is not valid JSON: ...") into the error.
   */
  static JsonNode readOneJsonValue(
      ObjectReader reader, String text, Function<String, ApiException> refusal) {
    try (JsonParser parser = reader.createParser(text)) {
      JsonNode value;
      try {
        value = reader.readTree(parser);
      } catch (JsonProcessingException e) {
        throw refusal.apply("is not valid JSON: " + e.getOriginalMessage());
      }
      try {
        if (parser.nextToken() != null) {
          throw refusal.apply("has content after the JSON object");
        }
      } catch (JsonProcessingException e) {
        // not even a token ("{...} junk"): content after the value all the same
        throw refusal.apply("has content after the JSON object");
      }
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException("reading JSON from a string", e);
    }
  }

  private static String jsonText(String name, JsonNode node) {
    if (node.isObject() && JSON_OBJECT_PARAMS.contains(name)) {
      return node.toString();
    }
    if (node.isContainerNode() || node.isNull()) {
      throw ApiException.badParam(
          name,
          "must be a string or a list of strings, not a JSON "
              + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return node.asText();
  }

  /** The names of every parameter given, in order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(values.keySet());
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
    Integer n = asciiInt(v);
    if (n == null) {
      throw ApiException.badParam(name, "must be an integer, got '" + v + "'");
    }
    return n;
  }

  public long nonNegativeLong(String name, long defaultValue) {
    String v = optional(name);
    return v == null || v.isEmpty() ? defaultValue : parseNonNegativeLong(name, v);
  }

  /** One value of parameter {@code name} (of a list, say) as a non-negative long. */
  static long parseNonNegativeLong(String name, String v) {
    Long n = asciiLong(v);
    if (n == null || n < 0) {
      throw ApiException.badParam(name, "must be a non-negative integer, got '" + v + "'");
    }
    return n;
  }

  /**
   * {@code v} as a decimal number, or null if it is not one: ASCII digits, optionally after a '-',
   * within a long. Nothing else: {@code Long.parseLong} also takes every Unicode digit ({@code
   * "１"}, {@code "١"} are 1) and a leading '+', and a {@code trim()} before it would let
   * surrounding whitespace through; the contract allows none of them.
   */
  static Long asciiLong(String v) {
    int start = v.startsWith("-") ? 1 : 0;
    if (v.length() == start) {
      return null;
    }
    for (int i = start; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null; // beyond a long
    }
  }

  /** {@link #asciiLong}, within an int. */
  static Integer asciiInt(String v) {
    Long n = asciiLong(v);
    return n == null || n != n.intValue() ? null : n.intValue();
  }

  public boolean bool(String name, boolean defaultValue) {
    String v = optional(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    // no trim(), as for numbers: " 1" is not a value the contract knows
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw ApiException.badParam(name, "must be true or false, got '" + v + "'");
    };
  }

  static String checkIdentifier(String name, String v) {
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
