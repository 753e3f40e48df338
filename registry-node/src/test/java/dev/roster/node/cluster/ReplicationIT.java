package dev.roster.node.cluster;

import static dev.roster.node.testing.Calls.ENV;
import static dev.roster.node.testing.Calls.ZONE;
import static dev.roster.node.testing.Calls.enc;
import static dev.roster.node.testing.Calls.fetch;
import static dev.roster.node.testing.Calls.lists;
import static dev.roster.node.testing.Calls.ok;
import static dev.roster.node.testing.Calls.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Replication seen from outside on a healthy 3-node cluster. No test here stops a node, so they
 * share one cluster; each test writes its own application.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationIT {
  private TestCluster cluster;
  private int leader;

  @BeforeAll
  void startCluster() {
    cluster = TestCluster.start(3);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void findLeader() {
    leader = cluster.awaitReady();
  }

  @Test
  void threeNodeClusterElectsOneLeaderThatEveryNodeRecognises() {
    String leaderRaft = cluster.raftAddress(leader);
    int leaders = 0;
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.node(i).raft().leadership().isLeader()) {
        leaders++;
      }
      Http.Response status = Http.get(cluster.url(i) + "/cluster/status");
      assertThat(status.code()).isEqualTo(0);
      assertThat(status.data().path("leader").asText()).isEqualTo(leaderRaft);
      assertThat(status.data().path("leader_http").asText()).isEqualTo(cluster.url(leader));
      assertThat(status.data().path("role").asText())
          .isEqualTo(i == leader ? "leader" : "follower");
      assertThat(status.data().path("peers")).hasSize(3);
    }
    assertThat(leaders).isEqualTo(1);
    assertThat(cluster.followers(leader)).hasSize(2);
  }

  @Test
  void registerThroughTheLeaderBecomesVisibleOnBothFollowers() {
    Http.Response registered = ok(register(cluster.url(leader), "repl.visible", "h1"));
    JsonNode stored = registered.data();

    for (int f : cluster.followers(leader)) {
      // a plain read is served from the follower's local state: it may lag by the commit delay
      await("stale read on follower " + f + " sees h1")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> lists(fetch(cluster.url(f), "repl.visible", false), "h1"));
      Http.Response seen = fetch(cluster.url(f), "repl.visible", false);
      assertThat(seen.data().path("instances").path(ZONE).get(0)).isEqualTo(stored);
    }
  }

  @Test
  void consistentReadOnAFollowerRightAfterAnAcknowledgedWriteSeesIt() {
    for (int n = 0; n < 20; n++) {
      String hostname = "h" + n;
      Http.Response registered = ok(register(cluster.url(leader), "repl.consistent", hostname));
      for (int f : cluster.followers(leader)) {
        Http.Response read = fetch(cluster.url(f), "repl.consistent", true);
        assertThat(lists(read, hostname))
            .as(
                "consistent read on follower %d right after registering %s: %s",
                f, hostname, read.body())
            .isTrue();
        assertThat(read.data().path("latest_timestamp").asLong())
            .isGreaterThanOrEqualTo(registered.data().path("latest_timestamp").asLong());
      }
    }
  }

  @Test
  void writeToAFollowerIsRedirectedToTheLeaderAndNotApplied() {
    int follower = cluster.followers(leader).get(0);
    String pathAndQuery =
        "/discovery/register?zone="
            + ZONE
            + "&env="
            + ENV
            + "&appid=repl.redirect&hostname=h1&addrs="
            + enc("http://10.0.0.1:80")
            + "&status=1";

    Http.Response r = Http.postForm(cluster.url(follower) + pathAndQuery, "");

    assertThat(r.status()).isEqualTo(307);
    assertThat(r.code()).isEqualTo(-307);
    assertThat(r.headers().firstValue("Location")).hasValue(cluster.url(leader) + pathAndQuery);
    assertThat(r.data().path("leader").asText()).isEqualTo(cluster.url(leader));
    // nothing was proposed: a linearizable read on every node finds no such application
    for (int i = 0; i < cluster.size(); i++) {
      Http.Response read = fetch(cluster.url(i), "repl.redirect", true);
      assertThat(read.code()).as("node %d: %s", i, read.body()).isEqualTo(-404);
    }

    // following the redirect, as a client does, performs the write once
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(URI.create(location).getRawQuery())
        .isEqualTo(URI.create(pathAndQuery).getRawQuery());
    ok(Http.postForm(location, ""));
    assertThat(lists(fetch(cluster.url(follower), "repl.redirect", true), "h1")).isTrue();
  }

  @Test
  void everyKindOfWriteToAFollowerIsRedirected() {
    ok(register(cluster.url(leader), "repl.redirect.all", "h1"));
    int follower = cluster.followers(leader).get(1);
    String identity = "zone=" + ZONE + "&env=" + ENV + "&appid=repl.redirect.all&hostname=h1";
    List<String> paths = List.of("/discovery/renew", "/discovery/cancel", "/discovery/set");
    List<Http.Response> replies = new ArrayList<>();
    for (String path : paths) {
      String body = path.endsWith("set") ? identity + "&status=2" : identity;
      replies.add(Http.postForm(cluster.url(follower) + path, body));
    }
    for (int i = 0; i < paths.size(); i++) {
      Http.Response r = replies.get(i);
      assertThat(r.status()).as(paths.get(i)).isEqualTo(307);
      assertThat(r.code()).isEqualTo(-307);
      assertThat(r.headers().firstValue("Location")).hasValue(cluster.url(leader) + paths.get(i));
    }
    Http.Response read = fetch(cluster.url(leader), "repl.redirect.all", true);
    assertThat(lists(read, "h1")).isTrue();
    assertThat(read.data().path("instances").path(ZONE).get(0).path("status").asInt())
        .as("the set sent to the follower did not apply")
        .isEqualTo(1);
  }

  @Test
  void nodesOnAFollowerListsThreeNodesWithExactlyOneLeader() {
    int follower = cluster.followers(leader).get(0);
    String leaderAddr = URI.create(cluster.url(leader)).getAuthority();

    Http.Response r = Http.get(cluster.url(follower) + "/discovery/nodes");

    assertThat(r.code()).isEqualTo(0);
    JsonNode nodes = r.data();
    assertThat(nodes).hasSize(3);
    List<String> addrs = new ArrayList<>();
    List<String> leaders = new ArrayList<>();
    for (JsonNode n : nodes) {
      addrs.add(n.path("addr").asText());
      assertThat(n.path("status").asInt()).as("node %s is up", n).isEqualTo(0);
      if (n.path("role").asText().equals("leader")) {
        leaders.add(n.path("addr").asText());
      } else {
        assertThat(n.path("role").asText()).isEqualTo("follower");
      }
    }
    assertThat(leaders).containsExactly(leaderAddr);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      expected.add(URI.create(cluster.url(i)).getAuthority());
    }
    assertThat(addrs).containsExactlyInAnyOrderElementsOf(expected);
  }
}
