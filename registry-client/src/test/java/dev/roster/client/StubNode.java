package dev.roster.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A scripted registry node on a free loopback port (JDK HttpServer): each path answers what the
 * test says, every request is recorded. Unscripted paths answer -404 like an unknown app. Answers
 * are those of the current registry: HTTP 200 with the code in the envelope, HTTP 307 for a
 * redirect; {@link Answer#legacy} and {@link Answer#bare} script an older registry and a proxy.
 */
final class StubNode implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger THREADS = new AtomicInteger();

  static {
    // The JDK server writes an answer's headers and body apart; with Nagle on, the body waits for
    // the client's delayed ACK of the headers: 40 ms per request, where the registry (Netty,
    // TCP_NODELAY) takes a fraction of a millisecond. Read once, before the first server starts
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  /** One request as the node saw it. */
  record Request(String method, String path, Map<String, List<String>> params, long nanos) {
    String param(String name) {
      List<String> v = params.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    List<String> params(String name) {
      return params.getOrDefault(name, List.of());
    }
  }

  /** One answer: HTTP status, body, extra headers. */
  record Answer(int status, String body, Map<String, String> headers) {
    static Answer ok(Object data) {
      return envelope(0, 200, "", data, Map.of());
    }

    /** What the registry answers for {@code code}: HTTP 200, the code in the envelope. */
    static Answer code(int code, String message) {
      return envelope(code, 200, message, null, Map.of());
    }

    /** What an older registry answered: the code's HTTP status as well (404 for -404, ...). */
    static Answer legacy(int code, int status, String message) {
      return envelope(code, status, message, null, Map.of());
    }

    /** No envelope at all, e.g. a proxy's {@code 502 Bad Gateway} page. */
    static Answer bare(int status, String body) {
      return new Answer(status, body, Map.of());
    }

    static Answer unavailable() {
      return code(-503, "no leader");
    }

    static Answer notModified() {
      return code(-304, "not modified");
    }

    static Answer notFound() {
      return code(-404, "not found");
    }

    /** What a follower answers to a write: 307, Location and data.leader. */
    static Answer redirect(String leaderUrl, Request r) {
      return envelope(
          -307,
          307,
          "not the leader; retry on " + leaderUrl,
          Map.of("leader", leaderUrl),
          Map.of("Location", leaderUrl + r.path()));
    }

    static Answer envelope(
        int code, int status, String message, Object data, Map<String, String> headers) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("code", code);
      e.put("message", message);
      e.put("data", data);
      try {
        return new Answer(status, JSON.writeValueAsString(e), headers);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
  }

  @FunctionalInterface
  interface Route {
    Answer answer(Request request) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "stub-node-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Route> routes = new ConcurrentHashMap<>();

  private StubNode(SSLContext tls, boolean needClientAuth) {
    try {
      InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
      if (tls == null) {
        server = HttpServer.create(loopback, 50);
      } else {
        HttpsServer https = HttpsServer.create(loopback, 50);
        https.setHttpsConfigurator(
            new HttpsConfigurator(tls) {
              @Override
              public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
              }
            });
        server = https;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  static StubNode start() {
    return new StubNode(null, false);
  }

  /**
   * The same over HTTPS: {@code tls} holds the node's certificate (and, with {@code
   * needClientAuth}, the CAs whose client certificates it requires).
   */
  static StubNode https(SSLContext tls, boolean needClientAuth) {
    return new StubNode(tls, needClientAuth);
  }

  /** A URL where nothing listens: connections are refused. */
  static String deadUrl() {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return scheme + "://127.0.0.1:" + server.getAddress().getPort();
  }

  StubNode on(String path, Route route) {
    routes.put(path, route);
    return this;
  }

  /** register/renew/cancel/set succeed, echoing the instance. */
  StubNode actingAsLeader() {
    return on("/discovery/register", r -> Answer.ok(instanceOf(r)))
        .on("/discovery/renew", r -> Answer.ok(instanceOf(r)))
        .on("/discovery/cancel", r -> Answer.ok(null))
        .on("/discovery/set", r -> Answer.ok(null));
  }

  /** Every write redirected to {@code leader}. */
  StubNode redirectingWritesTo(String leader) {
    List<String> writes =
        List.of("/discovery/register", "/discovery/renew", "/discovery/cancel", "/discovery/set");
    for (String p : writes) {
      on(p, r -> Answer.redirect(leader, r));
    }
    return this;
  }

  List<Request> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  int count(String path) {
    return requests(path).size();
  }

  /** Requests other than the client's background node-list refresh. */
  List<Request> calls() {
    return requests.stream().filter(r -> !r.path().equals("/discovery/nodes")).toList();
  }

  static Map<String, Object> instanceOf(Request r) {
    Map<String, Object> i = new LinkedHashMap<>();
    i.put("zone", r.param("zone"));
    if (r.param("region") != null) { // as an older registry, the stub has no region unless sent one
      i.put("region", r.param("region"));
    }
    i.put("env", r.param("env"));
    i.put("appid", r.param("appid"));
    i.put("hostname", r.param("hostname"));
    i.put("addrs", r.params("addrs").isEmpty() ? List.of("http://10.0.0.1:80") : r.params("addrs"));
    i.put("version", r.param("version") == null ? "" : r.param("version"));
    i.put("status", r.param("status") == null ? 1 : Integer.parseInt(r.param("status")));
    i.put("metadata", Map.of());
    i.put("reg_timestamp", 1);
    i.put("up_timestamp", 1);
    i.put("renew_timestamp", System.nanoTime());
    i.put("dirty_timestamp", 1);
    i.put("latest_timestamp", 1);
    return i;
  }

  /** A fetch answer: {@code instances} (hostnames) in zone z1 at version {@code latest}. */
  static Map<String, Object> appData(String appid, long latest, String... hostnames) {
    List<Object> list = new ArrayList<>();
    for (String h : hostnames) {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("zone", "z1");
      i.put("env", "test");
      i.put("appid", appid);
      i.put("hostname", h);
      i.put("addrs", List.of("http://" + h + ":80"));
      i.put("version", "");
      i.put("status", 1);
      i.put("metadata", Map.of());
      i.put("latest_timestamp", latest);
      list.add(i);
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("instances", hostnames.length == 0 ? Map.of() : Map.of("z1", list));
    d.put("latest_timestamp", latest);
    return d;
  }

  private void handle(HttpExchange ex) {
    try {
      String path = ex.getRequestURI().getPath();
      Map<String, List<String>> params = new LinkedHashMap<>();
      parse(ex.getRequestURI().getRawQuery(), params);
      parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), params);
      Request request = new Request(ex.getRequestMethod(), path, params, System.nanoTime());
      requests.add(request);
      Route route = routes.get(path);
      Answer answer;
      try {
        answer = route == null ? Answer.notFound() : route.answer(request);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        answer = Answer.code(-500, e.toString());
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      answer.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      ex.getResponseHeaders()
          .set("Content-Type", answer.body().startsWith("{") ? "application/json" : "text/html");
      ex.sendResponseHeaders(answer.status(), body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      // the client went away (an aborted poll): nothing to answer
    } finally {
      ex.close();
    }
  }

  private static void parse(String encoded, Map<String, List<String>> into) {
    if (encoded == null || encoded.isEmpty()) {
      return;
    }
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      into.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
