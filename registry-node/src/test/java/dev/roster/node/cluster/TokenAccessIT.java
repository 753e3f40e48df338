package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens on real nodes: admin and registry writes without the right token are refused (401, or 403
 * for a token scoped to another env) and change nothing; reads need a read token when a read file
 * is set; a token added to or removed from the file takes effect without a restart; malformed
 * headers never get a 5xx; the nodes still reach each other with their admin token.
 */
@Timeout(120)
class TokenAccessIT {
  @TempDir Path dir;
  private TestCluster cluster;

  private static final String ADMIN = "admin-token-0123456789";
  private static final String TEAM_A = "team-a-token-abcdef";
  private static final String ANY_ENV = "any-env-token-xyz";
  private static final String READER = "reader-token-42";

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Path tokens(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private Path writeFile;

  private void start(int nodes, boolean readTokens) throws IOException {
    writeFile = tokens("write.tokens", TEAM_A + " team-a,shared\n" + ANY_ENV + "\n");
    Map<String, String> settings =
        new java.util.HashMap<>(
            Map.of(
                "admin-token-file",
                tokens("admin.tokens", "# the nodes use the first\n" + ADMIN + "\n").toString(),
                "write-token-file",
                writeFile.toString()));
    if (readTokens) {
      settings.put("read-token-file", tokens("read.tokens", READER + "\n").toString());
    }
    cluster = TestCluster.start(nodes, settings);
    cluster.awaitReady();
  }

  private Http.Response post(int node, String path, String form, String authorization) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(cluster.url(node) + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return Http.send(b);
  }

  private Http.Response get(int node, String pathAndQuery, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.url(node) + pathAndQuery));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return Http.send(b.GET());
  }

  private String text(int node, String path, String authorization) {
    return Http.sendForText(
            HttpRequest.newBuilder(URI.create(cluster.url(node) + path))
                .header("Authorization", authorization))
        .body();
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  private int leader() {
    return cluster.awaitLeader();
  }

  private JsonNode instancesOf(String env, String appid) {
    return get(leader(), "/discovery/fetch?status=3&env=" + env + "&appid=" + appid, bearer(READER))
        .body();
  }

  @Test
  void adminWritesNeedAnAdminTokenAndChangeNothingWithoutIt() throws IOException {
    start(1, false);
    int n = leader();
    List<String> adminWrites =
        List.of(
            "/cluster/snapshot",
            "/cluster/transfer-leader",
            "/cluster/peers/add?peer=127.0.0.1:1",
            "/cluster/peers/remove?peer=" + cluster.raftAddress(n),
            "/cluster/peers/reset?confirm=unsafe&peers=127.0.0.1:1");
    for (String path : adminWrites) {
      for (String auth :
          new String[] {null, bearer("not-the-token-zz"), bearer(ANY_ENV), "Basic Og=="}) {
        Http.Response r = post(n, path, "", auth);
        assertThat(r.status()).as("%s with %s", path, auth).isEqualTo(401);
        assertThat(r.code()).isEqualTo(-401);
        assertThat(r.headers().firstValue("www-authenticate")).isPresent();
        assertThat(r.message()).doesNotContain("not-the-token-zz").doesNotContain(ANY_ENV);
      }
    }
    JsonNode status = get(n, "/cluster/status", null).data();
    assertThat(status.path("peers")).hasSize(1);
    assertThat(status.path("peers").get(0).asText()).isEqualTo(cluster.raftAddress(n));

    Http.Response snapshot = post(n, "/cluster/snapshot", "", bearer(ADMIN));
    assertThat(snapshot.code()).as(snapshot.body().toString()).isZero();
  }

  @Test
  void registryWritesNeedAWriteTokenForTheirEnv() throws IOException {
    start(1, false);
    int n = leader();
    String reg = "env=team-a&appid=svc&hostname=h1&zone=z&addrs=http://10.0.0.1:80";
    for (String auth : new String[] {null, bearer("wrong"), bearer(READER)}) {
      Http.Response r = post(n, "/discovery/register", reg, auth);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.code()).isEqualTo(-401);
    }
    Http.Response otherEnv =
        post(n, "/discovery/register", reg.replace("team-a", "team-b"), bearer(TEAM_A));
    assertThat(otherEnv.status()).isEqualTo(403);
    assertThat(otherEnv.code()).isEqualTo(-403);
    assertThat(otherEnv.message()).contains("team-b");
    assertThat(instancesOf("team-a", "svc").path("code").asInt()).isEqualTo(-404);
    assertThat(instancesOf("team-b", "svc").path("code").asInt()).isEqualTo(-404);

    assertThat(post(n, "/discovery/register", reg, bearer(TEAM_A)).code()).isZero();
    String key = "env=team-a&appid=svc&hostname=h1";
    for (String path : List.of("/discovery/renew", "/discovery/cancel", "/discovery/set")) {
      String form = path.endsWith("set") ? key + "&status=2" : key;
      assertThat(post(n, path, form, null).status()).as(path).isEqualTo(401);
      assertThat(post(n, path, form.replace("team-a", "team-b"), bearer(TEAM_A)).status())
          .as(path)
          .isEqualTo(403);
    }
    JsonNode h1 = instancesOf("team-a", "svc").path("data").path("instances").path("z").get(0);
    assertThat(h1.path("status").asInt()).as("set refused: still UP").isEqualTo(1);

    assertThat(post(n, "/discovery/set", key + "&status=2", bearer(ANY_ENV)).code()).isZero();
    assertThat(post(n, "/discovery/cancel", key, bearer(ADMIN)).code()).isZero();
  }

  @Test
  void eurekaWritesTakeTheTokenAsTheBasicPassword() throws IOException {
    start(1, false);
    int n = leader();
    String body =
        "{\"instance\":{\"instanceId\":\"e1\",\"app\":\"EAPP\",\"hostName\":\"e1\",\"ipAddr\":\"10.0.0.9\","
            + "\"status\":\"UP\",\"port\":{\"$\":8080,\"@enabled\":\"true\"},\"dataCenterInfo\":"
            + "{\"@class\":\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\",\"name\":\"MyOwn\"}}}";
    HttpRequest.Builder without =
        HttpRequest.newBuilder(URI.create(cluster.url(n) + "/eureka/shared/apps/EAPP"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("eureka:" + TEAM_A).getBytes(StandardCharsets.UTF_8));

    assertThat(Http.status(without)).isEqualTo(401);
    int with =
        Http.status(
            HttpRequest.newBuilder(URI.create(cluster.url(n) + "/eureka/shared/apps/EAPP"))
                .header("Content-Type", "application/json")
                .header("Authorization", basic)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(with).isEqualTo(204);
    // the default env of /eureka/ is prod, which team-a's token may not write
    int prod =
        Http.status(
            HttpRequest.newBuilder(URI.create(cluster.url(n) + "/eureka/apps/EAPP"))
                .header("Content-Type", "application/json")
                .header("Authorization", basic)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(prod).isEqualTo(403);
  }

  @Test
  void readsNeedAReadTokenWhenAReadFileIsSetButHealthReadyAndTheConsoleStayOpen()
      throws IOException {
    start(1, true);
    int n = leader();

    assertThat(get(n, "/discovery/fetch?env=e&appid=a", null).status()).isEqualTo(401);
    assertThat(get(n, "/cluster/status", bearer("wrong")).status()).isEqualTo(401);
    assertThat(get(n, "/discovery/fetch?env=e&appid=a", bearer(READER)).code()).isEqualTo(-404);
    assertThat(get(n, "/cluster/status", bearer(ANY_ENV)).code())
        .as("a write token reads")
        .isZero();
    assertThat(get(n, "/health", null).code()).isZero();
    assertThat(get(n, "/ready", null).code()).isZero();
    assertThat(Http.getText(cluster.url(n) + "/ui/")).contains("console.js");
  }

  @Test
  void aTokenAddedToTheFileWorksWithinSecondsAndARemovedOneStops() throws IOException {
    start(1, false);
    int n = leader();
    String reg = "env=shared&appid=rot&hostname=h1&zone=z&addrs=http://10.0.0.1:80";
    String fresh = "rotated-in-token";
    assertThat(post(n, "/discovery/register", reg, bearer(fresh)).status()).isEqualTo(401);

    Files.writeString(writeFile, TEAM_A + " team-a,shared\n" + ANY_ENV + "\n" + fresh + "\n");
    await("the new token works")
        .atMost(Duration.ofSeconds(10))
        .until(() -> post(n, "/discovery/register", reg, bearer(fresh)).code() == 0);

    Files.writeString(writeFile, fresh + "\n");
    await("the removed token stops working")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                post(n, "/discovery/renew", "env=shared&appid=rot&hostname=h1", bearer(TEAM_A))
                        .status()
                    == 401);
    assertThat(
            post(n, "/discovery/renew", "env=shared&appid=rot&hostname=h1", bearer(fresh)).code())
        .isZero();
  }

  @Test
  void noTokenReachesTheLogsTheMetricsOrTheStatus() throws IOException {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.roster");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    ch.qos.logback.classic.Level level = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      start(3, true);
      int n = leader();
      String wrong = "leaky-wrong-token-999";
      post(n, "/discovery/register", "env=team-a&appid=x&hostname=h", bearer(wrong));
      post(n, "/cluster/snapshot", "", bearer(wrong));
      post(
          n,
          "/discovery/register",
          "env=team-b&appid=x&hostname=h&addrs=http://a:1",
          bearer(TEAM_A));
      post(
          n,
          "/discovery/register",
          "env=team-a&appid=x&hostname=h&addrs=http://a:1",
          bearer(TEAM_A));
      Files.writeString(writeFile, TEAM_A + " team-a\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  post(n, "/discovery/renew", "env=e&appid=x&hostname=h", bearer(ANY_ENV)).status()
                      == 401);
      String metrics = text(n, "/metrics", bearer(READER));
      assertThat(metrics).contains("roster_instances");
      String status =
          get(n, "/cluster/status", bearer(READER)).body().toString()
              + get(n, "/cluster/members", bearer(READER)).body().toString();
      List<String> secrets = List.of(ADMIN, TEAM_A, ANY_ENV, READER, wrong);
      for (String secret : secrets) {
        assertThat(metrics).doesNotContain(secret);
        assertThat(status).doesNotContain(secret);
        for (ch.qos.logback.classic.spi.ILoggingEvent e : List.copyOf(logs.list)) {
          assertThat(e.getFormattedMessage()).doesNotContain(secret);
        }
      }
      assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("refused a request"));
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
    }
  }

  @Test
  void malformedAuthorizationHeadersNeverGetA5xx() throws IOException {
    start(1, true);
    int n = leader();
    List<String> headers =
        List.of(
            "",
            " ",
            "Bearer",
            "Bearer ",
            "Bearer  ",
            "bearer\t" + READER,
            "Basic",
            "Basic ====",
            "Basic " + "A".repeat(5000),
            "Bearer " + "x".repeat(7000),
            "Negotiate abc",
            "Bearer \u00e9",
            "Basic OjpAOjo=",
            ADMIN,
            "Bearer " + ADMIN + " extra",
            ",,,",
            "Bearer\u0000x");
    for (String h : headers) {
      for (String path : List.of("/discovery/register", "/cluster/snapshot", "/eureka/apps/X")) {
        HttpRequest.Builder b =
            HttpRequest.newBuilder(URI.create(cluster.url(n) + path))
                .POST(HttpRequest.BodyPublishers.ofString("env=e"));
        int r;
        try {
          r = Http.status(b.header("Authorization", h));
        } catch (IllegalArgumentException invalidForTheJavaClient) {
          continue; // the JDK's client refuses to send some of these at all
        }
        assertThat(r).as("%s with [%s]", path, h).isLessThan(500);
      }
      Http.Response read;
      try {
        read =
            Http.send(
                HttpRequest.newBuilder(URI.create(cluster.url(n) + "/discovery/nodes"))
                    .header("Authorization", h)
                    .GET());
      } catch (IllegalArgumentException invalidForTheJavaClient) {
        continue;
      }
      assertThat(read.status()).isLessThan(500);
    }
  }

  @Test
  void theNodesReachEachOtherWithTheirAdminTokenWhenEverythingNeedsOne() throws IOException {
    start(3, true);
    int leader = leader();
    await("every node announced itself to the leader")
        .atMost(Duration.ofSeconds(30))
        .until(() -> get(leader, "/discovery/nodes", bearer(READER)).data().size() == 3);
    int follower = cluster.followers(leader).get(0);
    JsonNode members = get(follower, "/cluster/members", bearer(READER)).data().path("members");
    assertThat(members).hasSize(3);
    members.forEach(m -> assertThat(m.path("reachable").asBoolean()).as(m.toString()).isTrue());
  }
}
