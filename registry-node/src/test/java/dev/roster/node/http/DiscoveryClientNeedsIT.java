package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.testing.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What discovery's Go client needs of a server beyond the status codes: the nodes' own application
 * in its own env, and polls for applications that do not exist yet that park instead of answering
 * -404 at once (which makes the client spin one request a second).
 */
class DiscoveryClientNeedsIT extends SingleNodeHarness {
  private static final String PROD = "prod-" + System.nanoTime();

  private String nodes(String path, String... params) {
    return path + "?" + form(params);
  }

  /** The hostnames of the nodes in an answer's {@code instances} by zone. */
  private static List<String> hostnames(JsonNode app) {
    List<String> hosts = new ArrayList<>();
    app.path("instances")
        .forEach(zone -> zone.forEach(i -> hosts.add(i.path("hostname").asText())));
    return hosts;
  }

  @Test
  void theNodesOwnApplicationAnswersInEveryEnv() {
    String self = cluster.raftAddress(0);
    Http.Response fetch =
        Http.get(url(nodes("/discovery/fetch", "env", PROD, "appid", PeerDirectory.APPID)));
    assertOk(fetch);
    assertThat(hostnames(fetch.data())).containsExactly(self);

    Http.Response fetchs =
        Http.get(url(nodes("/discovery/fetchs", "env", PROD, "appid", PeerDirectory.APPID)));
    assertOk(fetchs);
    assertThat(hostnames(fetchs.data().path(PeerDirectory.APPID))).containsExactly(self);

    Http.Response poll =
        Http.get(
            url(
                nodes(
                    "/discovery/poll",
                    "env",
                    PROD,
                    "appid",
                    PeerDirectory.APPID,
                    "latest_timestamp",
                    "0")));
    assertOk(poll);
    assertThat(hostnames(poll.data())).containsExactly(self);

    // what the Go client's New() sends: its own env, the nodes and its own (not yet deployed) app
    String absent = newAppid("not-deployed");
    Http.Response polls =
        Http.get(
            url(
                nodes(
                    "/discovery/polls",
                    "env",
                    PROD,
                    "hostname",
                    "client-1",
                    "appid",
                    PeerDirectory.APPID,
                    "appid",
                    absent,
                    "latest_timestamp",
                    "0",
                    "latest_timestamp",
                    "0")));
    assertOk(polls);
    assertThat(hostnames(polls.data().path(PeerDirectory.APPID))).containsExactly(self);
    assertThat(polls.data().has(absent)).isFalse();
  }

  @Test
  void aChangeOfTheNodesWakesTheirPollsInEveryEnv() throws Exception {
    Http.Response now =
        Http.get(url(nodes("/discovery/fetch", "env", PROD, "appid", PeerDirectory.APPID)));
    long latest = now.data().path("latest_timestamp").asLong();
    CompletableFuture<Http.Response> parked =
        CompletableFuture.supplyAsync(
            () ->
                Http.get(
                    url(
                        nodes(
                            "/discovery/polls",
                            "env",
                            PROD,
                            "appid",
                            PeerDirectory.APPID,
                            "latest_timestamp",
                            String.valueOf(latest),
                            "hold",
                            "20000"))));
    awaitParked(1);
    // an entry of a node that is not a member: the leader removes it again at once (NodeLiveness)
    Http.Response stray =
        post(
            "/discovery/register",
            form(
                "zone",
                "z1",
                "env",
                PeerDirectory.ENV,
                "appid",
                PeerDirectory.APPID,
                "hostname",
                "127.0.0.99:1",
                "addrs",
                "http://127.0.0.99:2"));
    assertOk(stray);
    Http.Response woken = parked.get(10, TimeUnit.SECONDS);
    assertOk(woken);
    assertThat(woken.data().path(PeerDirectory.APPID).path("latest_timestamp").asLong())
        .isGreaterThan(latest);

    await("the entry of a node that is not a member removed")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                hostnames(
                    Http.get(
                            url(
                                nodes(
                                    "/discovery/fetch",
                                    "env",
                                    PROD,
                                    "appid",
                                    PeerDirectory.APPID,
                                    "status",
                                    "3")))
                        .data()),
            h -> h.equals(List.of(cluster.raftAddress(0))));
  }

  @Test
  void aPollOfAnAbsentAppParksAndAnswersWhenTheAppAppears() throws Exception {
    String appid = newAppid("appears");
    CompletableFuture<Http.Response> poll =
        CompletableFuture.supplyAsync(
            () ->
                get(
                    "/discovery/poll",
                    form("env", ENV, "appid", appid, "latest_timestamp", "0", "hold", "20000")));
    CompletableFuture<Http.Response> polls =
        CompletableFuture.supplyAsync(
            () ->
                get(
                    "/discovery/polls",
                    form(
                        "env",
                        ENV,
                        "appid",
                        appid,
                        "appid",
                        newAppid("never"),
                        "latest_timestamp",
                        "0",
                        "latest_timestamp",
                        "0",
                        "hold",
                        "20000")));
    awaitParked(2);
    assertThat(poll).isNotDone();
    assertThat(polls).isNotDone();

    register(appid, "h1");
    Http.Response p = poll.get(10, TimeUnit.SECONDS);
    assertOk(p);
    assertThat(hostnames(p.data())).containsExactly("h1");
    Http.Response ps = polls.get(10, TimeUnit.SECONDS);
    assertOk(ps);
    assertThat(hostnames(ps.data().path(appid))).containsExactly("h1");
  }

  @Test
  void aPollOfAbsentAppsAnswersNotModifiedAfterTheHold() {
    long start = System.nanoTime();
    Http.Response polls =
        get(
            "/discovery/polls",
            form("env", ENV, "appid", newAppid("never"), "latest_timestamp", "0", "hold", "300"));
    assertNotModified(polls);
    assertThat(System.nanoTime() - start)
        .as("answered after the hold, not at once")
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    assertNotModified(
        get(
            "/discovery/poll",
            form("env", ENV, "appid", newAppid("never"), "latest_timestamp", "0", "hold", "0")));
  }

  private void awaitParked(int atLeast) {
    await("polls parked")
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.node(0).polls().parked() >= atLeast);
  }
}
