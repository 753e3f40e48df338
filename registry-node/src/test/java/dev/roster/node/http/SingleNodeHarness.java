package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One real node (JRaft + Netty) per test class, and the few request and assertion shapes the HTTP
 * contract tests share. Tests in a class share the node, so each test works on its own appids
 * ({@link #newAppid}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // a hang fails its test instead of the build
abstract class SingleNodeHarness {
  static final String ENV = "test";
  private static final AtomicInteger APP_COUNTER = new AtomicInteger();

  TestCluster cluster;

  @BeforeAll
  void startNode() {
    cluster = TestCluster.start(1);
    cluster.awaitReady();
  }

  @AfterAll
  void stopNode() {
    if (cluster != null) {
      cluster.close();
    }
  }

  String url(String pathAndQuery) {
    return cluster.url(0) + pathAndQuery;
  }

  static String newAppid(String hint) {
    return hint + "-" + APP_COUNTER.incrementAndGet();
  }

  /** {@code a=1&b=2} from alternating names and values, each URL-encoded. */
  static String form(String... namesAndValues) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (s.length() > 0) {
        s.append('&');
      }
      s.append(enc(namesAndValues[i])).append('=').append(enc(namesAndValues[i + 1]));
    }
    return s.toString();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  Http.Response post(String path, String form) {
    return Http.postForm(url(path), form);
  }

  Http.Response get(String path, String query) {
    return Http.get(url(path) + "?" + query);
  }

  /** Registers {@code hostname} of {@code appid} (env {@link #ENV}) and expects success. */
  JsonNode register(String zone, String appid, String hostname, int status) {
    Http.Response r =
        post(
            "/discovery/register",
            form(
                "zone",
                zone,
                "env",
                ENV,
                "appid",
                appid,
                "hostname",
                hostname,
                "addrs",
                "http://" + hostname + ":8080",
                "status",
                String.valueOf(status)));
    assertOk(r);
    return r.data();
  }

  JsonNode register(String appid, String hostname) {
    return register("z1", appid, hostname, 1);
  }

  Http.Response fetch(String appid, String... extra) {
    StringBuilder q = new StringBuilder(form("env", ENV, "appid", appid));
    if (extra.length > 0) {
      q.append('&').append(form(extra));
    }
    return get("/discovery/fetch", q.toString());
  }

  /** Everything a fetcher can see of {@code appid} (both statuses), or the refusal envelope. */
  JsonNode everything(String appid) {
    return fetch(appid, "status", "3").body();
  }

  long instanceCount() {
    Http.Response r = Http.get(url("/discovery/status"));
    assertOk(r);
    return r.data().path("instances").asLong();
  }

  static void assertOk(Http.Response r) {
    assertThat(r.status()).as("HTTP status of %s", r.body()).isEqualTo(200);
    assertThat(r.code()).as("code of %s", r.body()).isEqualTo(0);
  }

  static void assertNotModified(Http.Response r) {
    assertThat(r.status()).as("HTTP status of %s", r.body()).isEqualTo(200);
    assertThat(r.code()).as("code of %s", r.body()).isEqualTo(-304);
    assertThat(r.data().isNull()).as("data of %s", r.body()).isTrue();
  }

  static void assertNotFound(Http.Response r) {
    assertThat(r.status()).as("HTTP status of %s", r.body()).isEqualTo(200);
    assertThat(r.code()).as("code of %s", r.body()).isEqualTo(-404);
    assertThat(r.message()).isNotBlank();
  }

  /** A -400 whose message names the offending parameter as {@code 'name'}. */
  static void assertBadParam(Http.Response r, String param) {
    assertThat(r.status()).as("HTTP status of %s", r.body()).isEqualTo(200);
    assertThat(r.code()).as("code of %s", r.body()).isEqualTo(-400);
    assertThat(r.message()).contains("'" + param + "'");
  }
}
