package dev.roster.node.http;

import java.nio.charset.StandardCharsets;

/**
 * A reply body sent as is instead of being encoded from {@link Reply#data()}: the Prometheus
 * exposition, or a fetch answer encoded once and served from {@link FetchCache}.
 */
public record RawBody(String contentType, byte[] bytes) {
  public static final String JSON = "application/json; charset=utf-8";

  public static RawBody text(String contentType, String text) {
    return new RawBody(contentType, text.getBytes(StandardCharsets.UTF_8));
  }
}
