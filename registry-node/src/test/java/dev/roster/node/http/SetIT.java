package dev.roster.node.http;

import static dev.roster.node.http.FetchIT.hostnames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import org.junit.jupiter.api.Test;

class SetIT extends SingleNodeHarness {

  private Http.Response set(String appid, String... params) {
    String base = form("zone", "z1", "env", ENV, "appid", appid);
    return post("/discovery/set", params.length == 0 ? base : base + "&" + form(params));
  }

  private static JsonNode instance(JsonNode fetchBody, String hostname) {
    for (JsonNode i : fetchBody.path("data").path("instances").path("z1")) {
      if (i.path("hostname").asText().equals(hostname)) {
        return i;
      }
    }
    throw new AssertionError(hostname + " not in " + fetchBody);
  }

  @Test
  void setStatusToWaitingHidesTheInstanceFromADefaultFetch() {
    String appid = newAppid("drain");
    register(appid, "h1");
    register(appid, "h2");
    long latest = fetch(appid).data().path("latest_timestamp").asLong();

    Http.Response r = set(appid, "hostname", "h1", "status", "2");

    assertOk(r);
    assertThat(r.data().isNull()).isTrue();
    Http.Response byDefault = fetch(appid);
    assertThat(hostnames(byDefault.data().path("instances").path("z1"))).containsExactly("h2");
    assertThat(byDefault.data().path("latest_timestamp").asLong()).isGreaterThan(latest);
    Http.Response both = fetch(appid, "status", "3");
    assertThat(hostnames(both.data().path("instances").path("z1"))).containsExactly("h1", "h2");
    assertThat(instance(both.body(), "h1").path("status").asInt()).isEqualTo(2);
  }

  @Test
  void setStatusBackToUpMakesTheInstanceVisibleAgain() {
    String appid = newAppid("undrain");
    register("z1", appid, "h1", 2);
    long upBefore = instance(everything(appid), "h1").path("up_timestamp").asLong();

    assertOk(set(appid, "hostname", "h1", "status", "1"));

    assertThat(hostnames(fetch(appid).data().path("instances").path("z1"))).containsExactly("h1");
    assertThat(instance(everything(appid), "h1").path("up_timestamp").asLong())
        .isGreaterThan(upBefore);
  }

  @Test
  void setMetadataOfSeveralHostnamesTakesOneValuePerHostname() {
    String appid = newAppid("meta");
    register(appid, "h1");
    register(appid, "h2");

    assertOk(
        set(
            appid,
            "hostname",
            "h1",
            "hostname",
            "h2",
            "metadata",
            "{\"weight\":\"1\"}",
            "metadata",
            "{\"weight\":\"2\",\"canary\":\"yes\"}"));

    JsonNode all = everything(appid);
    assertThat(instance(all, "h1").path("metadata").path("weight").asText()).isEqualTo("1");
    assertThat(instance(all, "h1").path("metadata").has("canary")).isFalse();
    assertThat(instance(all, "h2").path("metadata").path("weight").asText()).isEqualTo("2");
    assertThat(instance(all, "h2").path("metadata").path("canary").asText()).isEqualTo("yes");
    assertThat(instance(all, "h1").path("status").asInt()).as("status untouched").isEqualTo(1);
  }

  @Test
  void setByJsonBodyWithStatusAndMetadataLists() {
    String appid = newAppid("meta-json");
    register(appid, "h1");
    register(appid, "h2");

    assertOk(
        Http.postJson(
            url("/discovery/set"),
            """
        {"env": "%s", "appid": "%s", "hostname": ["h1", "h2"], "status": [2, 1],
         "metadata": [{"k": "a"}, "{\\"k\\":\\"b\\"}"]}
        """
                .formatted(ENV, appid)));

    JsonNode all = everything(appid);
    assertThat(instance(all, "h1").path("status").asInt()).isEqualTo(2);
    assertThat(instance(all, "h1").path("metadata").path("k").asText()).isEqualTo("a");
    assertThat(instance(all, "h2").path("status").asInt()).isEqualTo(1);
    assertThat(instance(all, "h2").path("metadata").path("k").asText()).isEqualTo("b");
  }

  @Test
  void setWithOneUnknownHostnameChangesNothing() {
    String appid = newAppid("all-or-nothing");
    register(appid, "h1");
    register(appid, "h2");
    JsonNode before = everything(appid);

    Http.Response r =
        set(
            appid,
            "hostname",
            "h1",
            "hostname",
            "ghost",
            "hostname",
            "h2",
            "status",
            "2",
            "status",
            "2",
            "status",
            "2");

    assertNotFound(r);
    assertThat(r.message()).contains("nothing changed");
    assertThat(everything(appid)).isEqualTo(before);
  }

  @Test
  void setOfUnknownAppIsNotFound() {
    String appid = newAppid("set-no-app");

    assertNotFound(set(appid, "hostname", "h1", "status", "2"));
    assertNotFound(fetch(appid));
  }

  @Test
  void setWithMoreStatusesThanHostnamesNamesStatus() {
    String appid = newAppid("len-status");
    register(appid, "h1");
    register(appid, "h2");
    JsonNode before = everything(appid);

    assertBadParam(set(appid, "hostname", "h1", "hostname", "h2", "status", "2"), "status");
    assertBadParam(set(appid, "hostname", "h1", "status", "2", "status", "2"), "status");

    assertThat(everything(appid)).isEqualTo(before);
  }

  @Test
  void setWithFewerMetadataThanHostnamesNamesMetadata() {
    String appid = newAppid("len-meta");
    register(appid, "h1");
    register(appid, "h2");
    JsonNode before = everything(appid);

    Http.Response r = set(appid, "hostname", "h1", "hostname", "h2", "metadata", "{\"a\":\"b\"}");

    assertBadParam(r, "metadata");
    assertThat(everything(appid)).isEqualTo(before);
  }

  @Test
  void setWithNeitherStatusNorMetadataIsBadRequest() {
    String appid = newAppid("set-nothing");
    register(appid, "h1");
    JsonNode before = everything(appid);

    Http.Response r = set(appid, "hostname", "h1");

    assertBadParam(r, "status");
    assertThat(r.message()).contains("'metadata'");
    assertThat(everything(appid)).isEqualTo(before);
  }

  @Test
  void setWithInvalidStatusOrMetadataOrHostnameIsBadRequest() {
    String appid = newAppid("set-invalid");
    register(appid, "h1");
    JsonNode before = everything(appid);

    assertBadParam(set(appid, "hostname", "h1", "status", "3"), "status");
    assertBadParam(set(appid, "hostname", "h1", "status", "up"), "status");
    assertBadParam(set(appid, "hostname", "h1", "metadata", "[1,2]"), "metadata");
    assertBadParam(set(appid, "hostname", "h1", "metadata", "{\"a\":{\"b\":\"c\"}}"), "metadata");
    assertBadParam(set(appid, "status", "2"), "hostname");
    assertBadParam(
        set(appid, "hostname", "h1", "hostname", "h1", "status", "2", "status", "2"), "hostname");
    assertBadParam(
        post("/discovery/set", form("zone", "z1", "appid", appid, "hostname", "h1", "status", "2")),
        "env");

    assertThat(everything(appid)).isEqualTo(before);
  }
}
