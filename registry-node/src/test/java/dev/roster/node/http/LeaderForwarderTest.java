package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.roster.node.cluster.PeerLink;
import dev.roster.node.raft.UnavailableException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LeaderForwarder} against a stand-in leader (the JDK's HTTP server). */
class LeaderForwarderTest {
  private HttpServer leader;
  private String leaderUrl;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private volatile long answerAfterMs = 20;

  @BeforeEach
  void startLeader() throws Exception {
    leader = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    leader.setExecutor(Executors.newFixedThreadPool(16));
    leader.createContext(
        "/",
        exchange -> {
          try {
            Thread.sleep(answerAfterMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] in = exchange.getRequestBody().readAllBytes();
          seen.put("method", exchange.getRequestMethod());
          seen.put("uri", exchange.getRequestURI().toString());
          seen.put("body", new String(in, StandardCharsets.UTF_8));
          seen.put(
              "forwarded",
              String.valueOf(exchange.getRequestHeaders().getFirst("X-roster-forwarded")));
          seen.put(
              "content-type",
              String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
          seen.put("cookie", String.valueOf(exchange.getRequestHeaders().getFirst("Cookie")));
          if (exchange.getRequestMethod().equals("POST")) {
            exchange.sendResponseHeaders(204, -1);
          } else {
            byte[] out = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
          }
          exchange.close();
        });
    leader.start();
    leaderUrl = "http://127.0.0.1:" + leader.getAddress().getPort();
  }

  @AfterEach
  void stopLeader() {
    leader.stop(0);
  }

  private static ApiRequest request(
      String method, String uri, String body, Map<String, String> headers) {
    return new ApiRequest(
        method,
        uri.replaceAll("\\?.*", ""),
        uri,
        Params.ofQuery(uri),
        null,
        Map.of(),
        body.getBytes(StandardCharsets.UTF_8),
        headers);
  }

  @Test
  void answersWhatTheLeaderAnswered() throws Exception {
    LeaderForwarder f = new LeaderForwarder(1000, PeerLink.plain());
    Reply r =
        f.forward(
                request(
                    "POST",
                    "/eureka/apps/A?x=1",
                    "{\"instance\":{}}",
                    Map.of("content-type", "application/json", "cookie", "c=1")),
                leaderUrl,
                2000)
            .get(5, TimeUnit.SECONDS);
    RawBody body = (RawBody) r.data();
    assertThat(body.status()).isEqualTo(204);
    assertThat(seen)
        .containsEntry("method", "POST")
        .containsEntry("uri", "/eureka/apps/A?x=1")
        .containsEntry("body", "{\"instance\":{}}")
        .containsEntry("forwarded", "1")
        .containsEntry("content-type", "application/json")
        .containsEntry("cookie", "null");

    Reply get =
        f.forward(request("PUT", "/eureka/apps/A/i", "", Map.of()), leaderUrl, 2000)
            .get(5, TimeUnit.SECONDS);
    RawBody b = (RawBody) get.data();
    assertThat(b.status()).isEqualTo(200);
    assertThat(b.contentType()).isEqualTo("application/json");
    assertThat(new String(b.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
  }

  /**
   * The answers complete on the forwarder's own threads: not on a thread of the JDK's {@code
   * CompletableFuture} default executor, which on 2 CPUs or fewer is a new thread per answer.
   */
  @Test
  void completesOnItsOwnThreadsAndStartsNoThreadPerForward() throws Exception {
    LeaderForwarder f = new LeaderForwarder(1000, PeerLink.plain());
    answerAfterMs = 20; // the futures are not complete yet when the stage below is attached
    List<CompletableFuture<String>> threads = new ArrayList<>();
    for (int i = 0; i < 3 * LeaderForwarder.SENDERS; i++) {
      threads.add(
          f.forward(request("PUT", "/eureka/apps/A/i" + i, "", Map.of()), leaderUrl, 10_000)
              .thenApply(reply -> Thread.currentThread().getName()));
    }
    List<String> names = new ArrayList<>();
    for (CompletableFuture<String> t : threads) {
      names.add(t.get(30, TimeUnit.SECONDS));
    }
    assertThat(names)
        .allMatch(n -> n.startsWith(LeaderForwarder.THREAD_PREFIX), "a forwarder thread");
    assertThat(names.stream().distinct().count()).isLessThanOrEqualTo(LeaderForwarder.SENDERS);
  }

  @Test
  void aLeaderThatDoesNotAnswerInTimeIsUnavailable() {
    answerAfterMs = 2000;
    LeaderForwarder f = new LeaderForwarder(1000, PeerLink.plain());
    assertThatThrownBy(
            () ->
                f.forward(request("PUT", "/eureka/apps/A/i", "", Map.of()), leaderUrl, 200).join())
        .hasCauseInstanceOf(UnavailableException.class)
        .hasMessageContaining("unreachable: no answer within 200 ms");
  }

  @Test
  void aForwardedRequestIsNotForwardedAgain() {
    LeaderForwarder f = new LeaderForwarder(1000, PeerLink.plain());
    assertThatThrownBy(
            () ->
                f.forward(
                        request(
                            "PUT",
                            "/eureka/apps/A/i",
                            "",
                            Map.of(LeaderForwarder.FORWARDED_HEADER, "1")),
                        leaderUrl,
                        2000)
                    .join())
        .hasCauseInstanceOf(UnavailableException.class);
  }
}
