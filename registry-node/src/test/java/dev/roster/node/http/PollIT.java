package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Long polling on a real 3-node cluster. */
class PollIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestCluster cluster;
  private static int leader;
  private static int follower;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3);
    leader = cluster.awaitReady();
    follower = cluster.followers(leader).get(0);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Registers like a client would (following a leader that moved on a busy machine). */
  private static long register(String appid, String host) {
    Http.Response r =
        new dev.roster.node.testing.RetryingWriter(cluster.urls())
            .post(
                "/discovery/register",
                "zone=z&env=poll&appid="
                    + appid
                    + "&hostname="
                    + host
                    + "&addrs=http://10.1.1.1:80",
                System.nanoTime() + 20_000_000_000L);
    assertThat(r).isNotNull();
    assertThat(r.code()).as(r.body().toString()).isZero();
    return latestOn(follower, appid);
  }

  /** The application's latest_timestamp as seen on {@code node} once it has caught up. */
  private static long latestOn(int node, String appid) {
    Http.Response r =
        Http.get(
            cluster.url(node)
                + "/discovery/fetch?env=poll&appid="
                + appid
                + "&status=3&consistent=true");
    assertThat(r.code()).isZero();
    return r.data().path("latest_timestamp").asLong();
  }

  @Test
  void pollAnswersAtOnceWhenTheCallerIsBehind() {
    register("behind", "h1");
    long latest = latestOn(follower, "behind");
    Http.Response r =
        Http.get(
            cluster.url(follower)
                + "/discovery/poll?env=poll&appid=behind&latest_timestamp=0&hold=20000");
    assertThat(r.code()).isZero();
    assertThat(r.data().path("latest_timestamp").asLong()).isEqualTo(latest);
    assertThat(r.data().path("instances").path("z").get(0).path("hostname").asText())
        .isEqualTo("h1");
  }

  @Test
  void pollOfACurrentCallerAnswersNotModifiedAfterTheHold() {
    register("current", "h1");
    long latest = latestOn(follower, "current");
    long start = System.nanoTime();
    Http.Response r =
        Http.get(
            cluster.url(follower)
                + "/discovery/poll?env=poll&appid=current&latest_timestamp="
                + latest
                + "&hold=400");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.code()).isEqualTo(-304);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(390);
  }

  @Test
  void parkedPollOnAFollowerWakesWhenAWriteIsMadeThroughTheLeader() throws Exception {
    register("wake", "h1");
    long latest = latestOn(follower, "wake");
    CompletableFuture<Http.Response> poll =
        CompletableFuture.supplyAsync(
            () ->
                Http.get(
                    cluster.url(follower)
                        + "/discovery/poll?env=poll&appid=wake&latest_timestamp="
                        + latest
                        + "&hold=30000"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.node(follower).polls().parked() >= 1);
    assertThat(poll).isNotDone();
    long written = System.nanoTime();
    long newLatest = register("wake", "h2");
    Http.Response r = poll.get(10, TimeUnit.SECONDS);
    long wokeMs = (System.nanoTime() - written) / 1_000_000;
    assertThat(r.code()).isZero();
    assertThat(r.data().path("latest_timestamp").asLong()).isEqualTo(newLatest);
    assertThat(r.data().path("instances").path("z")).hasSize(2);
    // woken by the apply, not by the 30 s hold (a bound, not a performance claim)
    assertThat(wokeMs).isLessThan(5000);
  }

  @Test
  void renewDoesNotWakeAParkedPoll() {
    register("renewed", "h1");
    long latest = latestOn(follower, "renewed");
    CompletableFuture<Http.Response> poll =
        CompletableFuture.supplyAsync(
            () ->
                Http.get(
                    cluster.url(follower)
                        + "/discovery/poll?env=poll&appid=renewed&latest_timestamp="
                        + latest
                        + "&hold=1500"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.node(follower).polls().parked() >= 1);
    Http.Response renewed =
        new dev.roster.node.testing.RetryingWriter(cluster.urls())
            .post(
                "/discovery/renew",
                "env=poll&appid=renewed&hostname=h1",
                System.nanoTime() + 20_000_000_000L);
    assertThat(renewed.code()).isZero();
    assertThat(poll.join().code()).isEqualTo(-304);
  }

  @Test
  void pollsAnswersWithEveryChangedApplicationOnly() {
    register("multi-a", "h1");
    register("multi-b", "h1");
    long a = latestOn(follower, "multi-a");
    long b = latestOn(follower, "multi-b");
    CompletableFuture<Http.Response> poll =
        CompletableFuture.supplyAsync(
            () ->
                Http.get(
                    cluster.url(follower)
                        + "/discovery/polls?env=poll&appid=multi-a&appid=multi-b&latest_timestamp="
                        + a
                        + "&latest_timestamp="
                        + b
                        + "&hold=30000"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.node(follower).polls().parked() >= 1);
    register("multi-b", "h2");
    Http.Response r = poll.join();
    assertThat(r.code()).isZero();
    assertThat(r.data().has("multi-b")).isTrue();
    assertThat(r.data().has("multi-a")).isFalse();
    assertThat(r.data().path("multi-b").path("instances").path("z")).hasSize(2);
  }

  @Test
  void pollOfAnUnknownApplicationParksUntilTheHoldLikeOneWithNothingNew() {
    Http.Response r =
        Http.get(
            cluster.url(follower)
                + "/discovery/poll?env=poll&appid=nobody&latest_timestamp=0&hold=200");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.code()).isEqualTo(-304);
  }

  @Test
  void aClientThatDisconnectsFreesItsSlot() throws Exception {
    register("gone", "h1");
    long latest = latestOn(follower, "gone");
    int before = cluster.node(follower).polls().parked();
    URI u = URI.create(cluster.url(follower));
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /discovery/poll?env=poll&appid=gone&latest_timestamp="
                  + latest
                  + "&hold=60000 HTTP/1.1\r\n"
                  + "Host: x\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.node(follower).polls().parked() == before + 1);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.node(follower).polls().parked() == before);
  }

  @Test
  void twoThousandConcurrentParkedPollsOnOneNodeAreAllAnswered() throws Exception {
    register("crowd", "h1");
    long latest = latestOn(follower, "crowd");
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    int n = 2000;
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>(n);
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    cluster.url(follower)
                        + "/discovery/poll?env=poll&appid=crowd&latest_timestamp="
                        + latest
                        + "&hold=60000"))
            .timeout(Duration.ofSeconds(90))
            .build();
    for (int i = 0; i < n; i++) {
      polls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> cluster.node(follower).polls().parked() >= n);
    long newLatest = register("crowd", "h2");
    CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (CompletableFuture<HttpResponse<String>> p : polls) {
      JsonNode body = JSON.readTree(p.get().body());
      assertThat(body.path("code").asInt()).isZero();
      assertThat(body.path("data").path("latest_timestamp").asLong()).isEqualTo(newLatest);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.node(follower).polls().parked() == 0);
  }
}
