package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.node.RosterNode;
import dev.roster.node.config.NodeConfig;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Membership through the admin endpoints: add a fourth node, remove it, move leadership. */
class MembershipIT {
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3);
    cluster.awaitReady();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aFourthNodeJoinsReplicatesAndIsRemovedAgain() throws Exception {
    int leader = cluster.awaitReady();
    assertThat(
            Http.postForm(
                    cluster.url(leader) + "/discovery/register",
                    "zone=z&env=m&appid=before&hostname=h1&addrs=http://10.3.0.1:80")
                .code())
        .isZero();

    String raft = "127.0.0.1:" + TestCluster.freePort();
    Path data = Files.createTempDirectory("roster-joiner");
    try (RosterNode joiner =
        new RosterNode(
                NodeConfig.fromSettings(
                    Map.of(
                        "http",
                        "127.0.0.1:" + TestCluster.freePort(),
                        "raft",
                        raft,
                        "data",
                        data.toString(),
                        "join",
                        "true")))
            .start()) {
      // sent to a follower: the admin call is redirected like any write
      int follower = cluster.followers(leader).get(0);
      Http.Response redirected =
          Http.postForm(cluster.url(follower) + "/cluster/peers/add", "peer=" + raft);
      assertThat(redirected.status()).isEqualTo(307);

      Http.Response added =
          Http.postForm(cluster.url(leader) + "/cluster/peers/add", "peer=" + raft);
      assertThat(added.code()).as(added.body().toString()).isZero();
      assertThat(added.data().path("peers")).hasSize(4);

      // the new member has the data written before it joined, and what is written after
      Http.Response after =
          new dev.roster.node.testing.RetryingWriter(cluster.urls())
              .post(
                  "/discovery/register",
                  "zone=z&env=m&appid=after&hostname=h1&addrs=http://10.3.0.1:80",
                  System.nanoTime() + 20_000_000_000L);
      assertThat(after).isNotNull();
      assertThat(after.code()).isZero();
      String url = joiner.url();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  Http.get(url + "/discovery/fetch?env=m&appid=before").code() == 0
                      && Http.get(url + "/discovery/fetch?env=m&appid=after").code() == 0);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Http.get(cluster.url(leader) + "/discovery/nodes").data().size() == 4);

      Http.Response removed =
          Http.postForm(cluster.url(leader) + "/cluster/peers/remove", "peer=" + raft);
      assertThat(removed.code()).as(removed.body().toString()).isZero();
      assertThat(removed.data().path("peers")).hasSize(3);
      assertThat(Http.get(cluster.url(leader) + "/cluster/status").data().path("peers")).hasSize(3);
    }
    // the three remaining members still take writes
    // (a client retries a -503 while the configuration settles, as RetryingWriter does)
    Http.Response later =
        new dev.roster.node.testing.RetryingWriter(cluster.urls())
            .post(
                "/discovery/register",
                "zone=z&env=m&appid=later&hostname=h1&addrs=http://10.3.0.1:80",
                System.nanoTime() + 20_000_000_000L);
    assertThat(later).isNotNull();
    assertThat(later.code()).isZero();
  }

  @Test
  void addingAPeerWithABadAddressIsABadRequestNamingIt() {
    int leader = cluster.awaitReady();
    Http.Response r =
        Http.postForm(cluster.url(leader) + "/cluster/peers/add", "peer=not-an-address");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.message()).contains("peer");
    assertThat(Http.get(cluster.url(leader) + "/cluster/status").data().path("peers")).hasSize(3);
  }

  @Test
  void removingAPeerThatIsNotAMemberIsABadRequestAndChangesNothing() {
    int leader = cluster.awaitReady();
    Http.Response r =
        Http.postForm(
            cluster.url(leader) + "/cluster/peers/remove",
            "peer=127.0.0.1:" + TestCluster.freePort());
    assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
    assertThat(r.message()).contains("not");
    assertThat(Http.get(cluster.url(leader) + "/cluster/status").data().path("peers")).hasSize(3);
  }

  @Test
  void aNodeWhoseHttpPortIsTakenFailsToStartAndReleasesItsRaftPort() throws Exception {
    String raft = "127.0.0.1:" + TestCluster.freePort();
    Path data = Files.createTempDirectory("roster-busy");
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Map<String, String> settings =
          Map.of(
              "http", "127.0.0.1:" + taken.getLocalPort(), "raft", raft, "data", data.toString());
      RosterNode node = new RosterNode(NodeConfig.fromSettings(settings));
      org.assertj.core.api.Assertions.assertThatThrownBy(node::start)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
    // the Raft port and the data directory are free again: the same node starts now
    try (RosterNode again =
        new RosterNode(
                NodeConfig.fromSettings(
                    Map.of(
                        "http",
                        "127.0.0.1:" + TestCluster.freePort(),
                        "raft",
                        raft,
                        "data",
                        data.toString())))
            .start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> again.raft().leadership().isLeader());
    }
  }

  @Test
  void leadershipMovesToTheRequestedPeer() {
    int leader = cluster.awaitReady();
    int target = cluster.followers(leader).get(1);
    Http.Response r =
        Http.postForm(
            cluster.url(leader) + "/cluster/transfer-leader",
            "peer=" + cluster.raftAddress(target));
    assertThat(r.code()).as(r.body().toString()).isZero();
    assertThat(r.data().path("leader").asText()).isEqualTo(cluster.raftAddress(target));
    assertThat(cluster.awaitLeader()).isEqualTo(target);

    Http.Response any = Http.postForm(cluster.url(target) + "/cluster/transfer-leader", "");
    assertThat(any.code()).as(any.body().toString()).isZero();
    assertThat(cluster.awaitLeader()).isNotEqualTo(target);
  }
}
