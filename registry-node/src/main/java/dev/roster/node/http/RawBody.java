package dev.roster.node.http;

import java.nio.charset.StandardCharsets;

/**
 * A reply body sent as is instead of being encoded from {@link Reply#data()}: the Prometheus
 * exposition, a fetch answer encoded once and served from {@link FetchCache}, or a whole answer of
 * an API with its own HTTP statuses (Eureka's), whose {@code status} (when not 0) is sent instead
 * of the one the reply's code travels with. A null content type sends none (a 204).
 */
public record RawBody(String contentType, byte[] bytes, int status) {
  public static final String JSON = "application/json; charset=utf-8";

  public RawBody(String contentType, byte[] bytes) {
    this(contentType, bytes, 0);
  }

  /** The same body sent with HTTP status {@code status}. */
  public RawBody withStatus(int status) {
    return new RawBody(contentType, bytes, status);
  }

  public static RawBody text(String contentType, String text) {
    return new RawBody(contentType, text.getBytes(StandardCharsets.UTF_8));
  }
}
