package dev.roster.node.http;

import static dev.roster.node.http.FetchIT.hostnames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import org.junit.jupiter.api.Test;

class RenewCancelIT extends SingleNodeHarness {

  private Http.Response renew(String appid, String hostname) {
    return post(
        "/discovery/renew", form("zone", "z1", "env", ENV, "appid", appid, "hostname", hostname));
  }

  private Http.Response cancel(String appid, String hostname) {
    return post(
        "/discovery/cancel", form("zone", "z1", "env", ENV, "appid", appid, "hostname", hostname));
  }

  @Test
  void renewReturnsTheInstanceWithANewRenewTimestamp() {
    String appid = newAppid("renew");
    JsonNode registered = register(appid, "h1");

    Http.Response r = renew(appid, "h1");

    assertOk(r);
    JsonNode renewed = r.data();
    assertThat(renewed.path("hostname").asText()).isEqualTo("h1");
    assertThat(renewed.path("renew_timestamp").asLong())
        .isGreaterThan(registered.path("renew_timestamp").asLong());
    for (String unchanged :
        new String[] {"reg_timestamp", "up_timestamp", "dirty_timestamp", "latest_timestamp"}) {
      assertThat(renewed.path(unchanged).asLong())
          .as(unchanged)
          .isEqualTo(registered.path(unchanged).asLong());
    }
  }

  @Test
  void renewWithoutZoneIsAccepted() {
    String appid = newAppid("renew-no-zone");
    register(appid, "h1");

    assertOk(post("/discovery/renew", form("env", ENV, "appid", appid, "hostname", "h1")));
  }

  @Test
  void renewOfUnknownInstanceIsNotFound() {
    String appid = newAppid("renew-unknown");
    register(appid, "h1");
    long count = instanceCount();

    Http.Response unknownHost = renew(appid, "h2");
    Http.Response unknownApp = renew(newAppid("renew-no-app"), "h1");

    assertNotFound(unknownHost);
    assertThat(unknownHost.message()).contains("h2").contains(appid);
    assertNotFound(unknownApp);
    assertThat(instanceCount()).as("a failed renew registers nothing").isEqualTo(count);
    assertNotFound(fetch(newAppid("renew-no-app")));
  }

  @Test
  void renewDoesNotChangeTheAppsLatestTimestamp() {
    String appid = newAppid("renew-latest");
    register(appid, "h1");
    long latest = fetch(appid).data().path("latest_timestamp").asLong();

    assertOk(renew(appid, "h1"));
    assertOk(renew(appid, "h1"));

    assertNotModified(fetch(appid, "latest_timestamp", String.valueOf(latest)));
    assertThat(fetch(appid).data().path("latest_timestamp").asLong()).isEqualTo(latest);
  }

  @Test
  void cancelRemovesTheInstance() {
    String appid = newAppid("cancel");
    register(appid, "h1");
    register(appid, "h2");
    long count = instanceCount();
    long latest = fetch(appid).data().path("latest_timestamp").asLong();

    Http.Response r = cancel(appid, "h1");

    assertOk(r);
    assertThat(r.data().isNull()).isTrue();
    assertThat(instanceCount()).isEqualTo(count - 1);
    Http.Response after = fetch(appid, "latest_timestamp", String.valueOf(latest));
    assertOk(after);
    assertThat(after.data().path("latest_timestamp").asLong())
        .as("a cancel is a visible change")
        .isGreaterThan(latest);
    assertThat(hostnames(after.data().path("instances").path("z1"))).containsExactly("h2");
    assertNotFound(renew(appid, "h1"));
  }

  @Test
  void cancelOfTheLastInstanceRemovesTheApp() {
    String appid = newAppid("cancel-last");
    register(appid, "h1");

    assertOk(cancel(appid, "h1"));

    assertNotFound(fetch(appid));
    assertNotFound(fetch(appid, "status", "3"));
  }

  @Test
  void cancelOfUnknownInstanceIsNotFound() {
    String appid = newAppid("cancel-unknown");
    register(appid, "h1");
    JsonNode before = everything(appid);
    long count = instanceCount();

    assertNotFound(cancel(appid, "h2"));
    assertNotFound(cancel(newAppid("cancel-no-app"), "h1"));

    assertThat(everything(appid)).isEqualTo(before);
    assertThat(instanceCount()).isEqualTo(count);
  }

  @Test
  void cancelTwiceIsNotFoundTheSecondTime() {
    String appid = newAppid("cancel-twice");
    register(appid, "h1");

    assertOk(cancel(appid, "h1"));
    assertNotFound(cancel(appid, "h1"));
  }
}
