package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The console's reads and files on a real node: paging, filters, refusals, the jar's files. */
class ConsoleReadsIT extends SingleNodeHarness {

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }

  @Test
  void applicationsArePagedInEnvThenAppidOrderWithCountsByStatusAndZone() {
    String prefix = newAppid("paged");
    for (int a = 0; a < 5; a++) {
      register("z1", prefix + ".app" + a, "h1", 1);
      register("z2", prefix + ".app" + a, "h2", 2);
    }

    Http.Response first = get("/discovery/apps", form("env", ENV, "q", prefix, "limit", "2"));
    Http.Response third =
        get("/discovery/apps", form("env", ENV, "q", prefix, "limit", "2", "offset", "4"));

    assertOk(first);
    assertThat(first.data().path("total").asInt()).isEqualTo(5);
    assertThat(texts(first.data().path("apps"), "appid"))
        .containsExactly(prefix + ".app0", prefix + ".app1");
    assertThat(texts(third.data().path("apps"), "appid")).containsExactly(prefix + ".app4");
    JsonNode app = first.data().path("apps").get(0);
    assertThat(app.path("env").asText()).isEqualTo(ENV);
    assertThat(app.path("instances").asInt()).isEqualTo(2);
    assertThat(app.path("statuses").path("up").asInt()).isEqualTo(1);
    assertThat(app.path("statuses").path("waiting").asInt()).isEqualTo(1);
    assertThat(app.path("zones").path("z1").asInt()).isEqualTo(1);
    assertThat(app.path("zones").path("z2").asInt()).isEqualTo(1);
    assertThat(app.path("latest_timestamp").asLong()).isPositive();
    assertThat(texts(first.data().path("envs"), "env")).contains(ENV, "infra");
  }

  @Test
  void theSearchIsACaseInsensitiveSubstringOfTheAppid() {
    String appid = newAppid("Search.Me");
    register(appid, "h1");

    Http.Response r = get("/discovery/apps", form("q", "search.ME"));

    assertThat(texts(r.data().path("apps"), "appid")).contains(appid);
    assertThat(
            texts(
                get("/discovery/apps", form("q", "no-such-app-anywhere")).data().path("apps"),
                "appid"))
        .isEmpty();
  }

  @Test
  void instancesArePagedByHostnameWithTheirLeaseAndTheNodesClock() {
    String appid = newAppid("inst");
    for (String h : List.of("c", "a", "b")) {
      register(appid, h);
    }

    Http.Response r = get("/discovery/instances", form("env", ENV, "appid", appid, "limit", "2"));
    Http.Response next =
        get("/discovery/instances", form("env", ENV, "appid", appid, "limit", "2", "offset", "2"));
    Http.Response byAddr =
        get("/discovery/instances", form("env", ENV, "appid", appid, "q", "B:8080"));

    assertOk(r);
    assertThat(r.data().path("total").asInt()).isEqualTo(3);
    assertThat(texts(r.data().path("instances"), "hostname")).containsExactly("a", "b");
    assertThat(texts(next.data().path("instances"), "hostname")).containsExactly("c");
    assertThat(texts(byAddr.data().path("instances"), "hostname")).containsExactly("b");
    JsonNode a = r.data().path("instances").get(0);
    assertThat(a.path("addrs").get(0).asText()).isEqualTo("http://a:8080");
    assertThat(a.path("renew_interval_ms").asLong()).isEqualTo(30_000);
    assertThat(a.path("expire_ms").asLong()).isEqualTo(90_000);
    assertThat(a.has("lease")).as("the discovery shape, not the model's").isFalse();
    assertThat(r.data().path("now").asLong())
        .isGreaterThanOrEqualTo(a.path("renew_timestamp").asLong());
  }

  @Test
  void instancesOfAnUnknownApplicationAreNotFound() {
    assertNotFound(get("/discovery/instances", form("env", ENV, "appid", "no.such.app")));
  }

  @ParameterizedTest(name = "{0}?{1}")
  @CsvSource({
    "/discovery/apps, limit=0, limit",
    "/discovery/apps, limit=501, limit",
    "/discovery/apps, offset=-1, offset",
    "/discovery/apps, offset=x, offset",
    "/discovery/apps, env=a%20b, env",
    "/discovery/instances, appid=a, env",
    "/discovery/instances, env=e, appid",
    "/discovery/instances, env=e&appid=a&limit=9999, limit",
    "/discovery/evictions, limit=1001, limit",
    "/discovery/evictions, before=-3, before",
    "/discovery/evictions, appid=a%0Ab, appid",
    "/discovery/changes, limit=0, limit",
    "/discovery/changes, env=%01, env",
  })
  void badParametersAreRefusedNamingThem(String path, String query, String param) {
    long before = instanceCount();

    assertBadParam(get(path, query), param);
    assertThat(instanceCount()).isEqualTo(before);
  }

  @Test
  void recentChangesListRegistrationsAndCancellationsNewestFirst() {
    String appid = newAppid("changes");
    register(appid, "h1");
    register(appid, "h2");
    assertOk(post("/discovery/cancel", form("env", ENV, "appid", appid, "hostname", "h1")));

    JsonNode changes =
        get("/discovery/changes", form("env", ENV, "appid", appid)).data().path("changes");

    assertThat(texts(changes, "hostname")).containsExactly("h1", "h2");
    assertThat(texts(changes, "action")).containsExactly("deleted", "added");
    assertThat(changes.get(0).path("ts").asLong())
        .isGreaterThan(changes.get(1).path("ts").asLong());
  }

  @Test
  void protectionReportsItsSettingsAndTheWindowsOfTheChecks() {
    JsonNode p = Http.get(url("/discovery/protection")).data();

    assertThat(p.path("protect_threshold").asDouble()).isEqualTo(0.85);
    assertThat(p.path("evict_interval_ms").asLong()).isEqualTo(60_000);
    assertThat(p.path("expire_ms").asLong()).isEqualTo(90_000);
    assertThat(p.path("ceiling_ms").asLong()).isEqualTo(3_600_000);
    assertThat(p.path("windows").isArray()).isTrue();
    assertThat(p.has("ceiling_in_ms")).isTrue();
  }

  @Test
  void theEvictionLogAnswersEmptyWithItsCapacityAndTotals() {
    JsonNode e = Http.get(url("/discovery/evictions")).data();

    assertThat(e.path("capacity").asInt()).isEqualTo(1000);
    assertThat(e.path("totals").path("expired").asLong()).isZero();
    assertThat(e.path("totals").path("past_ceiling").asLong()).isZero();
    assertThat(e.path("evictions").isArray()).isTrue();
  }

  @Test
  void theMembersOfASingleNodeClusterAreThisNodeLeadingAndReady() {
    JsonNode m = Http.get(url("/cluster/members")).data();

    assertThat(m.path("members")).hasSize(1);
    JsonNode self = m.path("members").get(0);
    assertThat(self.path("self").asBoolean()).isTrue();
    assertThat(self.path("role").asText()).isEqualTo("leader");
    assertThat(self.path("ready").asBoolean()).isTrue();
    assertThat(self.path("http").asText()).isEqualTo(cluster.url(0));
    assertThat(m.path("leader").asText()).isEqualTo(self.path("id").asText());
  }

  @Test
  void everyAnswerLetsAnyPageReadIt() {
    Http.Response r = Http.get(url("/discovery/apps"));

    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
  }

  @Test
  void theRootSendsTheBrowserToTheConsoleWhichComesFromTheJar() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> root =
        client.send(
            HttpRequest.newBuilder(URI.create(url("/"))).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> page =
        client.send(
            HttpRequest.newBuilder(URI.create(url("/ui/"))).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> script =
        client.send(
            HttpRequest.newBuilder(URI.create(url("/ui/console.js"))).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("location")).hasValue("/ui/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("console.js").doesNotContain("https://");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("/discovery/apps");
  }

  @ParameterizedTest
  @CsvSource({"/ui/nope.js", "/ui/..%2Fconsole.js", "/ui/index", "/ui/.hidden.css"})
  void namesTheJarDoesNotHoldAreNotFound(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url(path))).build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(404);
  }
}
