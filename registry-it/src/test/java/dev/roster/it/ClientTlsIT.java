package dev.roster.it;

import static dev.roster.it.Clients.ENV;
import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.RosterUnavailableException;
import dev.roster.client.Watch;
import dev.roster.node.testing.TestCluster;
import dev.roster.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against a three-node cluster that serves HTTPS only and requires client
 * certificates: with the cluster's CA and a client certificate it registers through a follower (the
 * redirect to the leader is an https URL), watches, and follows a failover; without the
 * certificate, or trusting another CA, its calls fail.
 */
class ClientTlsIT {
  @TempDir Path dir;
  private TestCluster cluster;
  private final TestCertificates.Authority ca = TestCertificates.authority("it cluster CA");

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start() {
    for (int i = 0; i < 3; i++) {
      ca.issue("node" + i, "127.0.0.1")
          .write(dir.resolve("node" + i + ".pem"), dir.resolve("node" + i + ".key"));
    }
    ca.issue("it client").write(dir.resolve("client.pem"), dir.resolve("client.key"));
    Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
    Map<String, String> settings = new HashMap<>(TestCluster.SHORT_TIMINGS);
    settings.put("tls-cert", dir.resolve("node{node}.pem").toString());
    settings.put("tls-key", dir.resolve("node{node}.key").toString());
    settings.put("tls-ca", caFile.toString());
    settings.put("tls-client-ca", caFile.toString());
    cluster = TestCluster.start(3, settings);
    cluster.awaitReady();
  }

  private RosterClient.Builder tlsClient(List<String> nodes) {
    return Clients.builder(nodes)
        .trustCertificates(dir.resolve("ca.pem"))
        .clientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"));
  }

  @Test
  void aClientRegistersAndWatchesOverTlsAndFollowsAFailover() {
    start();
    int leader = cluster.awaitLeader();
    int follower = cluster.followers(leader).get(0);
    assertThat(cluster.url(follower)).startsWith("https://");
    Clients.Recorder seen = new Clients.Recorder();
    try (RosterClient client = tlsClient(List.of(cluster.url(follower))).build();
        Watch watch = client.watch("tls.app", seen);
        Registration r = client.register(instance("tls.app", "t1"))) {
      assertThat(r.instance().hostname()).isEqualTo("t1");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> seen.lastHostnames().equals(List.of("t1")));
      assertThat(cluster.everyRunningNodeHas(ENV, "tls.app", "t1")).isTrue();

      cluster.killNode(leader);
      cluster.awaitLeader(Duration.ofSeconds(20));
      try (Registration r2 = client.register(instance("tls.app", "t2"))) {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> seen.lastHostnames().containsAll(List.of("t1", "t2")));
      }
    }
  }

  @Test
  void withoutAClientCertificateOrTrustingAnotherCaCallsFail() {
    start();
    try (RosterClient noCert =
        Clients.builder(cluster.urls()).trustCertificates(dir.resolve("ca.pem")).build()) {
      assertThatThrownBy(() -> noCert.register(instance("refused", "r1")))
          .isInstanceOf(RosterUnavailableException.class);
    }
    Path other = TestCertificates.authority("other").writeCertificate(dir.resolve("other.pem"));
    try (RosterClient wrongCa =
        Clients.builder(cluster.urls())
            .trustCertificates(other)
            .clientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"))
            .build()) {
      assertThatThrownBy(() -> wrongCa.register(instance("refused", "r2")))
          .isInstanceOf(RosterUnavailableException.class);
    }
    assertThat(cluster.noRunningNodeHas(ENV, "refused", "r1")).isTrue();
    assertThat(cluster.noRunningNodeHas(ENV, "refused", "r2")).isTrue();
  }
}
