package dev.roster.node.http;

import static dev.roster.node.http.RegisterIT.fieldNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FetchIT extends SingleNodeHarness {

  @Test
  void fetchGroupsInstancesByZoneWithTheAppsLatestTimestamp() {
    String appid = newAppid("zones");
    JsonNode a = register("z1", appid, "a", 1);
    JsonNode b = register("z1", appid, "b", 1);
    JsonNode c = register("z2", appid, "c", 1);

    Http.Response r = fetch(appid);

    assertOk(r);
    JsonNode data = r.data();
    assertThat(fieldNames(data)).containsExactlyInAnyOrder("instances", "latest_timestamp");
    assertThat(fieldNames(data.path("instances"))).containsExactlyInAnyOrder("z1", "z2");
    assertThat(hostnames(data.path("instances").path("z1"))).containsExactly("a", "b");
    assertThat(hostnames(data.path("instances").path("z2"))).containsExactly("c");
    long latest = data.path("latest_timestamp").asLong();
    assertThat(latest)
        .isGreaterThanOrEqualTo(c.path("latest_timestamp").asLong())
        .isGreaterThan(b.path("latest_timestamp").asLong())
        .isGreaterThan(a.path("latest_timestamp").asLong());
  }

  @Test
  void fetchWithTheAppsLatestTimestampOrNewerIsNotModifiedWithHttp200() {
    String appid = newAppid("not-modified");
    register(appid, "h1");
    long latest = fetch(appid).data().path("latest_timestamp").asLong();

    assertNotModified(fetch(appid, "latest_timestamp", String.valueOf(latest)));
    assertNotModified(fetch(appid, "latest_timestamp", String.valueOf(latest + 1_000_000_000L)));

    Http.Response older = fetch(appid, "latest_timestamp", String.valueOf(latest - 1));
    assertOk(older);
    assertThat(older.data().path("latest_timestamp").asLong()).isEqualTo(latest);
  }

  @Test
  void fetchSeesAChangeAfterTheLatestTimestampItHad() {
    String appid = newAppid("changes");
    register(appid, "h1");
    long latest = fetch(appid).data().path("latest_timestamp").asLong();

    register(appid, "h2");

    Http.Response r = fetch(appid, "latest_timestamp", String.valueOf(latest));
    assertOk(r);
    assertThat(r.data().path("latest_timestamp").asLong()).isGreaterThan(latest);
    assertThat(hostnames(r.data().path("instances").path("z1"))).containsExactly("h1", "h2");
  }

  @Test
  void fetchOfUnknownAppIsNotFound() {
    Http.Response r = fetch(newAppid("never-registered"));

    assertNotFound(r);
    assertThat(r.data().isNull()).isTrue();
  }

  @Test
  void fetchOfKnownAppidInAnotherEnvIsNotFound() {
    String appid = newAppid("other-env");
    register(appid, "h1");

    assertNotFound(get("/discovery/fetch", form("env", "elsewhere", "appid", appid)));
  }

  @Test
  void fetchFiltersByStatusBitmask() {
    String appid = newAppid("mask");
    register("z1", appid, "up", 1);
    register("z1", appid, "waiting", 2);

    assertThat(hostnames(fetch(appid).data().path("instances").path("z1")))
        .as("default mask 1")
        .containsExactly("up");
    assertThat(hostnames(fetch(appid, "status", "1").data().path("instances").path("z1")))
        .containsExactly("up");
    assertThat(hostnames(fetch(appid, "status", "2").data().path("instances").path("z1")))
        .containsExactly("waiting");
    assertThat(hostnames(fetch(appid, "status", "3").data().path("instances").path("z1")))
        .containsExactly("up", "waiting");
  }

  @Test
  void fetchOfAppWithOnlyWaitingInstancesFindsTheAppWithNoUpInstances() {
    String appid = newAppid("all-waiting");
    register("z1", appid, "w", 2);

    Http.Response r = fetch(appid);

    assertOk(r);
    assertThat(r.data().path("instances").size()).isZero();
    assertThat(r.data().path("latest_timestamp").asLong()).isPositive();
  }

  @Test
  void fetchFiltersByZone() {
    String appid = newAppid("zone-filter");
    register("z1", appid, "a", 1);
    register("z2", appid, "b", 1);

    Http.Response r = fetch(appid, "zone", "z2");

    assertOk(r);
    assertThat(fieldNames(r.data().path("instances"))).containsExactly("z2");
    assertThat(hostnames(r.data().path("instances").path("z2"))).containsExactly("b");
    Http.Response blankZone = fetch(appid, "zone", "");
    assertOk(blankZone);
    assertThat(fieldNames(blankZone.data().path("instances")))
        .as("blank zone = all zones")
        .containsExactlyInAnyOrder("z1", "z2");
  }

  @Test
  void consistentFetchWorksOnASingleNode() {
    String appid = newAppid("consistent");
    register(appid, "h1");

    for (String consistent : List.of("true", "false", "1", "0")) {
      Http.Response r = fetch(appid, "consistent", consistent);
      assertOk(r);
      assertThat(hostnames(r.data().path("instances").path("z1"))).containsExactly("h1");
    }
    assertNotFound(fetch(newAppid("consistent-unknown"), "consistent", "true"));
  }

  @Test
  void fetchsReturnsSeveralAppsAndOmitsAbsentOnes() {
    String one = newAppid("multi-one");
    String two = newAppid("multi-two");
    String absent = newAppid("multi-absent");
    register("z1", one, "h1", 1);
    register("z2", two, "h2", 1);

    Http.Response r =
        get("/discovery/fetchs", form("env", ENV, "appid", one, "appid", absent, "appid", two));

    assertOk(r);
    assertThat(fieldNames(r.data())).containsExactlyInAnyOrder(one, two);
    assertThat(hostnames(r.data().path(one).path("instances").path("z1"))).containsExactly("h1");
    assertThat(hostnames(r.data().path(two).path("instances").path("z2"))).containsExactly("h2");
    assertThat(r.data().path(one).path("latest_timestamp").asLong())
        .isEqualTo(fetch(one).data().path("latest_timestamp").asLong());
  }

  @Test
  void fetchsOfOnlyAbsentAppsIsAnEmptyObject() {
    Http.Response r =
        get(
            "/discovery/fetchs",
            form("env", ENV, "appid", newAppid("absent-a"), "appid", newAppid("absent-b")));

    assertOk(r);
    assertThat(r.data().isObject()).isTrue();
    assertThat(r.data().size()).isZero();
  }

  @Test
  void fetchsAppliesStatusMaskZoneAndConsistent() {
    String appid = newAppid("multi-filter");
    register("z1", appid, "up", 1);
    register("z1", appid, "waiting", 2);
    register("z2", appid, "other-zone", 1);

    Http.Response r =
        get(
            "/discovery/fetchs",
            form("env", ENV, "appid", appid, "status", "2", "zone", "z1", "consistent", "true"));

    assertOk(r);
    assertThat(fieldNames(r.data().path(appid).path("instances"))).containsExactly("z1");
    assertThat(hostnames(r.data().path(appid).path("instances").path("z1")))
        .containsExactly("waiting");
  }

  static List<String> hostnames(JsonNode instances) {
    List<String> names = new ArrayList<>();
    instances.forEach(i -> names.add(i.path("hostname").asText()));
    return names;
  }
}
