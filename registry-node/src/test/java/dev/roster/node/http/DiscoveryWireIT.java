package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Discovery's wire: every answer of a {@code /discovery/*} endpoint is HTTP 200 with the code in
 * the body, whatever the code, because discovery's own clients read no body once the status is 400
 * or more. Only the refusals HTTP itself names keep their status (unknown path, wrong method, body
 * too large); the operations endpoints keep meaningful statuses. (Redirects to the leader, 307, are
 * in {@code ReplicationIT}.)
 */
class DiscoveryWireIT extends SingleNodeHarness {
  private static final String APP = newAppid("wire");
  private static final String ABSENT = newAppid("wire-absent");

  /** One request and the code it must answer with. */
  record Case(String name, int code, Function<DiscoveryWireIT, Http.Response> call) {
    @Override
    public String toString() {
      return name + " -> " + code;
    }
  }

  static Stream<Arguments> everyCodeOfEveryEndpoint() {
    String instance = form("zone", "z1", "env", ENV, "appid", APP, "hostname", "h1");
    String unknown = form("zone", "z1", "env", ENV, "appid", APP, "hostname", "nobody");
    return Stream.of(
            new Case(
                "register", 0, t -> t.post("/discovery/register", instance + "&addrs=http://h1:1")),
            new Case(
                "register without zone",
                -400,
                t ->
                    t.post(
                        "/discovery/register",
                        form("env", ENV, "appid", APP, "hostname", "h1", "addrs", "http://h1:1"))),
            new Case(
                "register with a bad status",
                -400,
                t -> t.post("/discovery/register", instance + "&addrs=http://h1:1&status=9")),
            new Case("renew", 0, t -> t.post("/discovery/renew", instance)),
            new Case(
                "renew of an unknown instance", -404, t -> t.post("/discovery/renew", unknown)),
            new Case(
                "renew without hostname",
                -400,
                t -> t.post("/discovery/renew", form("env", ENV, "appid", APP))),
            new Case("set", 0, t -> t.post("/discovery/set", instance + "&status=1")),
            new Case(
                "set of an unknown instance",
                -404,
                t -> t.post("/discovery/set", unknown + "&status=1")),
            new Case("set without a change", -400, t -> t.post("/discovery/set", instance)),
            new Case(
                "cancel of an unknown instance", -404, t -> t.post("/discovery/cancel", unknown)),
            new Case(
                "cancel without env",
                -400,
                t -> t.post("/discovery/cancel", form("appid", APP, "hostname", "h1"))),
            new Case("fetch", 0, t -> t.fetch(APP)),
            new Case(
                "fetch, nothing newer",
                -304,
                t -> t.fetch(APP, "latest_timestamp", String.valueOf(Long.MAX_VALUE))),
            new Case("fetch of an absent app", -404, t -> t.fetch(ABSENT)),
            new Case("fetch with a bad status mask", -400, t -> t.fetch(APP, "status", "8")),
            new Case("fetchs", 0, t -> t.get("/discovery/fetchs", form("env", ENV, "appid", APP))),
            new Case(
                "fetchs without appid", -400, t -> t.get("/discovery/fetchs", form("env", ENV))),
            new Case(
                "poll",
                0,
                t ->
                    t.get(
                        "/discovery/poll",
                        form("env", ENV, "appid", APP, "latest_timestamp", "0"))),
            new Case(
                "poll, nothing newer",
                -304,
                t ->
                    t.get(
                        "/discovery/poll",
                        form(
                            "env",
                            ENV,
                            "appid",
                            APP,
                            "latest_timestamp",
                            String.valueOf(Long.MAX_VALUE),
                            "hold",
                            "0"))),
            new Case(
                "poll without latest_timestamp",
                -400,
                t -> t.get("/discovery/poll", form("env", ENV, "appid", APP))),
            new Case(
                "polls",
                0,
                t ->
                    t.get(
                        "/discovery/polls",
                        form("env", ENV, "appid", APP, "latest_timestamp", "0"))),
            new Case(
                "polls with too few timestamps",
                -400,
                t ->
                    t.get(
                        "/discovery/polls",
                        form("env", ENV, "appid", APP, "appid", ABSENT, "latest_timestamp", "0"))),
            new Case("consistent fetch", 0, t -> t.fetch(APP, "consistent", "true")),
            new Case("nodes", 0, t -> Http.get(t.url("/discovery/nodes"))),
            new Case("status", 0, t -> Http.get(t.url("/discovery/status"))),
            new Case(
                "JSON body that is not an object",
                -400,
                t -> Http.postJson(t.url("/discovery/renew"), "[1]")),
            new Case(
                "unsupported content type",
                -400,
                t ->
                    Http.send(
                        HttpRequest.newBuilder(URI.create(t.url("/discovery/renew")))
                            .header("Content-Type", "text/plain")
                            .POST(HttpRequest.BodyPublishers.ofString(instance)))),
            new Case("cancel", 0, t -> t.post("/discovery/cancel", instance)),
            new Case("renew after the cancel", -404, t -> t.post("/discovery/renew", instance)))
        .map(Arguments::of);
  }

  // runs in the order above: the register comes first, the cancel last
  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCodeOfEveryEndpoint")
  void everyAnswerOfDiscoveryEndpointsIsHttp200WithTheCodeInTheBody(Case c) {
    Http.Response r = c.call().apply(this);
    assertThat(r.code()).as("code of %s: %s", c.name(), r.body()).isEqualTo(c.code());
    assertThat(r.status()).as("HTTP status of %s: %s", c.name(), r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
  }

  @Test
  void refusalsOfHttpItselfKeepTheirStatusAndTheEnvelope() {
    Http.Response unknownPath = Http.get(url("/discovery/nope"));
    assertThat(List.of(unknownPath.status(), unknownPath.code())).containsExactly(404, -404);

    Http.Response wrongMethod = Http.get(url("/discovery/register?zone=z1"));
    assertThat(List.of(wrongMethod.status(), wrongMethod.code())).containsExactly(405, -405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");

    Http.Response tooLarge =
        post("/discovery/register", "a=" + "x".repeat(HttpServer.MAX_BODY_BYTES + 1));
    assertThat(List.of(tooLarge.status(), tooLarge.code())).containsExactly(413, -413);
  }

  @Test
  void operationsEndpointsKeepMeaningfulStatuses() {
    assertThat(Http.get(url("/health")).status()).isEqualTo(200);
    assertThat(Http.get(url("/ready")).status()).isEqualTo(200);
    Http.Response badPeer = post("/cluster/peers/add", form("peer", "not a peer"));
    assertThat(List.of(badPeer.status(), badPeer.code())).containsExactly(400, -400);
    Http.Response unknown = Http.get(url("/cluster/nope"));
    assertThat(List.of(unknown.status(), unknown.code())).containsExactly(404, -404);
  }
}
