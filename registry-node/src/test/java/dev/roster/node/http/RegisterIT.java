package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RegisterIT extends SingleNodeHarness {

  @Test
  void registerByFormReturnsTheStoredInstanceWithSnakeCaseFields() {
    String appid = newAppid("form");
    long before = instanceCount();
    long nowNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());

    Http.Response r =
        post(
            "/discovery/register",
            form(
                "zone",
                "z1",
                "env",
                ENV,
                "appid",
                appid,
                "hostname",
                "h1",
                "addrs",
                "http://10.0.0.1:80",
                "addrs",
                "grpc://10.0.0.1:90",
                "version",
                "1.2.3",
                "status",
                "1",
                "metadata",
                "{\"weight\":\"10\"}"));

    assertOk(r);
    assertThat(r.message()).isEmpty();
    JsonNode i = r.data();
    assertThat(fieldNames(i))
        .containsExactlyInAnyOrder(
            "region",
            "zone",
            "env",
            "appid",
            "hostname",
            "addrs",
            "version",
            "status",
            "metadata",
            "reg_timestamp",
            "up_timestamp",
            "renew_timestamp",
            "dirty_timestamp",
            "latest_timestamp");
    assertThat(i.path("region").asText()).as("none given").isEmpty();
    assertThat(i.path("zone").asText()).isEqualTo("z1");
    assertThat(i.path("env").asText()).isEqualTo(ENV);
    assertThat(i.path("appid").asText()).isEqualTo(appid);
    assertThat(i.path("hostname").asText()).isEqualTo("h1");
    assertThat(texts(i.path("addrs"))).containsExactly("http://10.0.0.1:80", "grpc://10.0.0.1:90");
    assertThat(i.path("version").asText()).isEqualTo("1.2.3");
    assertThat(i.path("status").asInt()).isEqualTo(1);
    assertThat(i.path("metadata").path("weight").asText()).isEqualTo("10");
    long reg = i.path("reg_timestamp").asLong();
    assertThat(reg).as("Unix nanoseconds").isCloseTo(nowNanos, within(TimeUnit.MINUTES.toNanos(1)));
    for (String ts :
        List.of("up_timestamp", "renew_timestamp", "dirty_timestamp", "latest_timestamp")) {
      assertThat(i.path(ts).asLong()).as(ts).isEqualTo(reg);
    }
    assertThat(instanceCount()).isEqualTo(before + 1);
  }

  @Test
  void registerByQueryStringWithRepeatedAddrs() {
    String appid = newAppid("query");
    Http.Response r =
        Http.postForm(
            url(
                "/discovery/register?"
                    + form(
                        "zone",
                        "z1",
                        "env",
                        ENV,
                        "appid",
                        appid,
                        "hostname",
                        "h1",
                        "addrs",
                        "http://a:1",
                        "addrs",
                        "http://b:2")),
            "");

    assertOk(r);
    assertThat(texts(r.data().path("addrs"))).containsExactly("http://a:1", "http://b:2");
    assertThat(r.data().path("status").asInt()).as("default status is UP").isEqualTo(1);
    assertThat(r.data().path("metadata").isObject()).isTrue();
    assertThat(r.data().path("metadata").size()).isZero();
    assertOk(fetch(appid));
  }

  @Test
  void registerByJsonBodyWithMetadataAsObject() {
    String appid = newAppid("json-object");
    Http.Response r =
        Http.postJson(
            url("/discovery/register"),
            """
        {"zone": "z1", "env": "%s", "appid": "%s", "hostname": "h1",
         "addrs": ["http://a:1", "http://b:2"], "status": 2, "version": "v9",
         "metadata": {"color": "blue", "weight": 10, "canary": true}}
        """
                .formatted(ENV, appid));

    assertOk(r);
    JsonNode i = r.data();
    assertThat(texts(i.path("addrs"))).containsExactly("http://a:1", "http://b:2");
    assertThat(i.path("status").asInt()).isEqualTo(2);
    assertThat(i.path("version").asText()).isEqualTo("v9");
    assertThat(i.path("metadata").path("color").asText()).isEqualTo("blue");
    assertThat(i.path("metadata").path("weight").isTextual())
        .as("metadata values are strings")
        .isTrue();
    assertThat(i.path("metadata").path("weight").asText()).isEqualTo("10");
    assertThat(i.path("metadata").path("canary").asText()).isEqualTo("true");
  }

  @Test
  void registerByJsonBodyWithMetadataAsJsonString() {
    String appid = newAppid("json-string");
    Http.Response r =
        Http.postJson(
            url("/discovery/register"),
            """
        {"zone": "z1", "env": "%s", "appid": "%s", "hostname": "h1",
         "addrs": "http://a:1", "metadata": "{\\"color\\":\\"red\\"}"}
        """
                .formatted(ENV, appid));

    assertOk(r);
    assertThat(texts(r.data().path("addrs"))).containsExactly("http://a:1");
    assertThat(r.data().path("metadata").path("color").asText()).isEqualTo("red");
  }

  @Test
  void registeredInstanceIsWhatFetchReturns() {
    String appid = newAppid("roundtrip");
    JsonNode stored = register("z7", appid, "h1", 1);

    Http.Response f = fetch(appid);

    assertOk(f);
    assertThat(f.data().path("instances").path("z7").get(0)).isEqualTo(stored);
    assertThat(f.data().path("latest_timestamp").asLong())
        .isEqualTo(stored.path("latest_timestamp").asLong());
  }

  @Test
  void repeatedRegisterKeepsRegTimestampAndReplacesThePayload() {
    String appid = newAppid("repeat");
    JsonNode first = register(appid, "h1");
    long count = instanceCount();

    Http.Response again =
        post(
            "/discovery/register",
            form(
                "zone",
                "z1",
                "env",
                ENV,
                "appid",
                appid,
                "hostname",
                "h1",
                "addrs",
                "http://new:1",
                "version",
                "2"));

    assertOk(again);
    JsonNode second = again.data();
    assertThat(second.path("reg_timestamp").asLong())
        .isEqualTo(first.path("reg_timestamp").asLong());
    assertThat(second.path("up_timestamp").asLong())
        .as("status stayed UP, so up_timestamp stays")
        .isEqualTo(first.path("up_timestamp").asLong());
    for (String ts : List.of("renew_timestamp", "dirty_timestamp", "latest_timestamp")) {
      assertThat(second.path(ts).asLong()).as(ts).isGreaterThan(first.path(ts).asLong());
    }
    assertThat(texts(second.path("addrs"))).containsExactly("http://new:1");
    assertThat(second.path("version").asText()).isEqualTo("2");
    assertThat(instanceCount()).as("same instance, not a new one").isEqualTo(count);
    JsonNode fetched = fetch(appid).data();
    assertThat(fetched.path("instances").path("z1")).hasSize(1);
    assertThat(fetched.path("instances").path("z1").get(0)).isEqualTo(second);
  }

  @Test
  void reRegisterFromWaitingToUpMovesUpTimestamp() {
    String appid = newAppid("wait-to-up");
    JsonNode waiting = register("z1", appid, "h1", 2);

    JsonNode up = register("z1", appid, "h1", 1);

    assertThat(up.path("reg_timestamp").asLong()).isEqualTo(waiting.path("reg_timestamp").asLong());
    assertThat(up.path("up_timestamp").asLong())
        .isGreaterThan(waiting.path("up_timestamp").asLong());
    assertThat(up.path("status").asInt()).isEqualTo(1);
  }

  /**
   * Bilibili discovery's clients send a region on register and read it from every instance record.
   */
  @Test
  void regionIsStoredReturnedByEveryAnswerAndReplacedByARepeatedRegister() {
    String appid = newAppid("region");
    String[] instance = {
      "zone", "z1", "env", ENV, "appid", appid, "hostname", "h1", "addrs", "http://h1:80"
    };
    Http.Response registered = post("/discovery/register", form(instance) + "&region=cn-east");
    assertOk(registered);
    assertThat(registered.data().path("region").asText()).isEqualTo("cn-east");

    Http.Response renewed =
        post("/discovery/renew", form("env", ENV, "appid", appid, "hostname", "h1"));
    assertOk(renewed);
    String app = form("env", ENV, "appid", appid);
    List<JsonNode> records =
        List.of(
            renewed.data(),
            fetch(appid).data().path("instances").path("z1").get(0),
            get("/discovery/fetchs", app).data().path(appid).path("instances").path("z1").get(0),
            get("/discovery/poll", app + "&latest_timestamp=0&hold=0")
                .data()
                .path("instances")
                .path("z1")
                .get(0),
            get("/discovery/polls", app + "&latest_timestamp=0&hold=0")
                .data()
                .path(appid)
                .path("instances")
                .path("z1")
                .get(0));
    assertThat(records).extracting(r -> r.path("region").asText()).containsOnly("cn-east");

    Http.Response json =
        Http.postJson(
            url("/discovery/register"),
            """
        {"zone": "z1", "env": "%s", "appid": "%s", "hostname": "h1", "addrs": ["http://h1:80"], "region": "cn-north"}
        """
                .formatted(ENV, appid));
    assertOk(json);
    assertThat(json.data().path("region").asText())
        .as("replaced like the other payload fields")
        .isEqualTo("cn-north");
    Http.Response without = post("/discovery/register", form(instance));
    assertOk(without);
    assertThat(without.data().path("region").asText())
        .as("a register without region clears it")
        .isEmpty();
    assertThat(fetch(appid).data().path("instances").path("z1").get(0).path("region").asText())
        .isEmpty();
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
