package dev.roster.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small blocking HTTP client for tests; never follows redirects, so tests see 307s. */
public final class Http {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Http() {}

  /** A response: HTTP status, the parsed envelope, and the headers. */
  public record Response(int status, JsonNode body, java.net.http.HttpHeaders headers) {
    public int code() {
      return body.path("code").asInt(Integer.MIN_VALUE);
    }

    public String message() {
      return body.path("message").asText();
    }

    public JsonNode data() {
      return body.path("data");
    }
  }

  public static Response get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  /** A GET's body as text (for answers that are not the JSON envelope: /metrics, the console). */
  public static String getText(String url) {
    return sendForText(HttpRequest.newBuilder(URI.create(url)).GET()).body();
  }

  /** The HTTP status of a request whose answer may not be the JSON envelope (Eureka's side). */
  public static int status(HttpRequest.Builder request) {
    return sendForText(request).statusCode();
  }

  /** A request's answer as text, whatever its status and content. */
  public static HttpResponse<String> sendForText(HttpRequest.Builder request) {
    return sendForText(CLIENT, request);
  }

  /** As {@link #sendForText(HttpRequest.Builder)}, through {@code client}. */
  public static HttpResponse<String> sendForText(HttpClient client, HttpRequest.Builder request) {
    try {
      return client.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** POSTs a form-encoded body (already encoded: {@code a=1&b=2}). */
  public static Response postForm(String url, String form) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  public static Response postJson(String url, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public static Response send(HttpRequest.Builder request) {
    return envelope(sendForText(request));
  }

  /** An answer parsed as the JSON envelope. */
  public static Response envelope(HttpResponse<String> r) {
    try {
      JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
      return new Response(r.statusCode(), body, r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON (HTTP " + r.statusCode() + "): " + r.body(), e);
    }
  }
}
