package dev.roster.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what {@code java.net.http} hides: a request head sent without
 * its body, a body sent after the server already answered, garbage on the wire.
 */
final class RawHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** One parsed response; {@code body} is the JSON envelope. */
  record Response(int status, Map<String, String> headers, JsonNode body) {
    int code() {
      return body.path("code").asInt(Integer.MIN_VALUE);
    }

    String message() {
      return body.path("message").asText();
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  RawHttp(String baseUrl) {
    URI u = URI.create(baseUrl);
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes bytes; false if the server had already closed or reset the connection. */
  boolean write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  boolean write(String ascii) {
    return write(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads one response (status line, headers, Content-Length body). */
  Response read() {
    try {
      String statusLine = line();
      String[] parts = statusLine.split(" ", 3);
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("body ended after " + body.length + " of " + length + " bytes");
      }
      JsonNode json = length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
      return new Response(status, headers, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when the server closed the connection (end of stream or reset) rather than keeping it. */
  boolean closedByServer() {
    try {
      return in.read() == -1;
    } catch (IOException e) {
      return true;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c == -1 && b.size() == 0) {
      throw new IOException("connection closed before a response line");
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a test socket
    }
  }
}
