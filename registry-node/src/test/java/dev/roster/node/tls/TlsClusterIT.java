package dev.roster.node.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.roster.node.RosterNode;
import dev.roster.node.config.ConfigException;
import dev.roster.node.config.NodeConfig;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import dev.roster.node.testing.TlsHttp;
import dev.roster.testkit.TestCertificates;
import dev.roster.testkit.TestCertificates.Authority;
import dev.roster.testkit.TestCertificates.Issued;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on real nodes, certificates made by the test: a three-node cluster over HTTPS and mutual Raft
 * TLS elects, replicates and fails over; a node whose certificate another CA signed can neither
 * join nor vote; expired certificates are refused; plain HTTP to the HTTPS port gets a clear
 * answer; client certificates are required when a client CA is set; a renewed certificate is served
 * without a restart.
 */
@Timeout(180)
class TlsClusterIT {
  @TempDir Path dir;
  private final Authority cluster = TestCertificates.authority("roster test cluster CA");
  private final Authority clients = TestCertificates.authority("roster test clients CA");
  private final Issued client = clients.issue("test client");
  private TestCluster nodes;

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private Map<String, String> tlsSettings(boolean clientCa) {
    Map<String, String> s = new HashMap<>();
    s.put("tls-cert", dir.resolve("node{node}.pem").toString());
    s.put("tls-key", dir.resolve("node{node}.key").toString());
    s.put("tls-ca", cluster.writeCertificate(dir.resolve("cluster-ca.pem")).toString());
    if (clientCa) {
      s.put("tls-client-ca", clients.writeCertificate(dir.resolve("clients-ca.pem")).toString());
    }
    return s;
  }

  private void issue(int node, Authority by) {
    by.issue("node" + node, "127.0.0.1")
        .write(dir.resolve("node" + node + ".pem"), dir.resolve("node" + node + ".key"));
  }

  private TlsHttp https() {
    return TlsHttp.trusting(cluster.certificate(), client);
  }

  private static String register(String host) {
    return "zone=z1&env=tls&appid=tls.app&hostname=" + host + "&addrs=http://10.0.0.1:80&status=1";
  }

  @Test
  void threeNodesOverTlsElectReplicateAndFailOver() {
    for (int i = 0; i < 3; i++) {
      issue(i, cluster);
    }
    Map<String, String> settings = tlsSettings(true);
    settings.putAll(TestCluster.SHORT_TIMINGS);
    nodes = TestCluster.start(3, settings);
    // every node announced itself to the leader over HTTPS, presenting its own certificate
    int leader = nodes.awaitReady();
    int follower = nodes.followers(leader).get(0);
    assertThat(nodes.url(follower)).startsWith("https://");

    Http.Response redirect =
        https().postForm(nodes.url(follower) + "/discovery/register", register("h1"));
    assertThat(redirect.status()).as(redirect.body().toString()).isEqualTo(307);
    assertThat(redirect.headers().firstValue("Location").orElseThrow())
        .startsWith(nodes.url(leader) + "/discovery/register");
    assertThat(https().postForm(nodes.url(leader) + "/discovery/register", register("h1")).code())
        .isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodes.everyRunningNodeHas("tls", "tls.app", "h1"));
    for (int i = 0; i < 3; i++) {
      Http.Response fetch = https().get(nodes.url(i) + "/discovery/fetch?env=tls&appid=tls.app");
      assertThat(fetch.code()).as("fetch on node %d", i).isZero();
      assertThat(fetch.data().toString()).contains("h1");
    }

    nodes.killNode(leader);
    int next = nodes.awaitLeader(Duration.ofSeconds(20));
    assertThat(next).isNotEqualTo(leader);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                https().postForm(nodes.url(next) + "/discovery/register", register("h2")).code()
                    == 0);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodes.everyRunningNodeHas("tls", "tls.app", "h2"));
  }

  @Test
  void aNodeWhoseCertificateAnotherCaSignedCanNeitherJoinNorVote() {
    issue(0, cluster);
    issue(1, cluster);
    // node 2 believes the cluster's CA, but its own certificate comes from elsewhere
    issue(2, TestCertificates.authority("some other CA"));
    Map<String, String> settings = tlsSettings(false);
    settings.putAll(TestCluster.SHORT_TIMINGS);
    nodes = TestCluster.start(3, settings);
    // a leader among the two good nodes (node 2 never learns of it)
    int[] found = {-1};
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (int i = 0; i < 2; i++) {
                if (nodes.node(i).raft().leadership().isLeader()) {
                  found[0] = i;
                  return true;
                }
              }
              return false;
            });
    int leader = found[0];
    assertThat(https().postForm(nodes.url(leader) + "/discovery/register", register("h1")).code())
        .isZero();
    int good = leader == 0 ? 1 : 0;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodes.instance(good, "tls", "tls.app", "h1").isPresent());
    // node 2 is never sent the log and never learns who leads
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                nodes.instance(2, "tls", "tls.app", "h1").isEmpty()
                    && nodes.node(2).raft().leadership().leader().isEmpty()
                    && nodes.node(2).raft().stateMachine().appliedIndex() == 0);
    // and its vote counts for nothing: without the other good node there is no majority
    nodes.killNode(good);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !nodes.node(leader).raft().leadership().isLeader());
    assertThat(https().postForm(nodes.url(leader) + "/discovery/register", register("h2")).code())
        .isNotZero();
  }

  @Test
  void anExpiredCertificateIsRefused() {
    // a node does not start with an expired certificate, and says why
    cluster
        .issueExpired("node0", "127.0.0.1")
        .write(dir.resolve("node0.pem"), dir.resolve("node0.key"));
    Map<String, String> one = new HashMap<>();
    tlsSettings(true).forEach((k, v) -> one.put(k, v.replace("{node}", "0")));
    one.put("http", "127.0.0.1:" + TestCluster.freePort());
    one.put("raft", "127.0.0.1:" + TestCluster.freePort());
    one.put("data", dir.resolve("data0").toString());
    assertThatThrownBy(() -> new RosterNode(NodeConfig.fromSettings(one)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls-cert")
        .hasMessageContaining("expired");

    // a client presenting an expired certificate is refused
    issue(0, cluster);
    nodes = TestCluster.start(1, tlsSettings(true));
    nodes.awaitReady();
    Issued expiredClient = clients.issueExpired("old client");
    assertThatThrownBy(
            () ->
                TlsHttp.trusting(cluster.certificate(), expiredClient).raw(nodes.url(0) + "/ready"))
        .isInstanceOf(IOException.class);
    assertThat(https().get(nodes.url(0) + "/ready").code()).isZero();
  }

  @Test
  void clientCertificatesAreRequiredWhenAClientCaIsSet() throws IOException {
    issue(0, cluster);
    nodes = TestCluster.start(1, tlsSettings(true));
    nodes.awaitReady();
    String ready = nodes.url(0) + "/ready";
    assertThat(https().get(ready).code()).isZero();
    // no certificate, or one the client CA did not sign
    assertThatThrownBy(() -> TlsHttp.trusting(cluster.certificate(), null).raw(ready))
        .isInstanceOf(IOException.class);
    Issued stranger = TestCertificates.authority("stranger CA").issue("stranger");
    assertThatThrownBy(() -> TlsHttp.trusting(cluster.certificate(), stranger).raw(ready))
        .isInstanceOf(IOException.class);
    // a client that does not trust the node's CA refuses the node
    assertThatThrownBy(
            () ->
                TlsHttp.trusting(TestCertificates.authority("other").certificate(), client)
                    .raw(ready))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void plainHttpToTheHttpsPortGetsAClearAnswer() throws IOException {
    issue(0, cluster);
    nodes = TestCluster.start(1, tlsSettings(false));
    nodes.awaitReady();
    Http.Response r = Http.get(nodes.url(0).replace("https://", "http://") + "/ready");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.code()).isEqualTo(-400);
    assertThat(r.message()).contains("HTTPS").contains("https://");

    // and a raw client sees the same before the connection closes
    int port = nodes.node(0).httpAddress().getPort();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 400 ").contains("use an https:// URL");
    }
  }

  @Test
  void aRenewedCertificateIsServedWithoutARestart() throws IOException {
    issue(0, cluster);
    nodes = TestCluster.start(1, tlsSettings(false));
    nodes.awaitReady();
    String ready = nodes.url(0) + "/ready";
    assertThat(servedSubject(ready)).isEqualTo("CN=node0");

    // a half-written set (the new certificate, the old key) changes nothing
    Issued renewed = cluster.issue("node0-renewed", "127.0.0.1");
    renewed.write(dir.resolve("half.pem"), dir.resolve("half.key"));
    java.nio.file.Files.copy(
        dir.resolve("half.pem"),
        dir.resolve("node0.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> servedSubject(ready).equals("CN=node0"));

    renewed.write(dir.resolve("node0.pem"), dir.resolve("node0.key"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> servedSubject(ready).equals("CN=node0-renewed"));
    assertThat(https().get(ready).code()).isZero();
  }

  private String servedSubject(String url) throws IOException {
    HttpResponse<String> r = TlsHttp.trusting(cluster.certificate(), null).raw(url);
    X509Certificate served =
        (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
    return served.getSubjectX500Principal().getName();
  }
}
