package dev.roster.eureka.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.node.model.Instance;
import dev.roster.node.testing.TestCluster;
import dev.roster.testkit.TestCertificates;
import dev.roster.testkit.TestCertificates.Authority;
import dev.roster.testkit.TestCertificates.Issued;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The unmodified Spring Cloud Eureka client over HTTPS (docs/security.md "TLS"): a 3-node cluster
 * that requires client certificates, and apps configured the way Spring documents it ({@code
 * eureka.client.tls.*}: a PKCS12 trust store with the cluster's CA, a PKCS12 key store with the
 * app's certificate). Certificates are made in the test.
 */
@Timeout(300)
class EurekaTlsIT {
  private static final String ENV = EurekaScenarios.ENV;
  private static final String PASSWORD = "probe-store-secret";

  @TempDir Path dir;
  private final Authority clusterCa = TestCertificates.authority("roster eureka-it cluster CA");
  private final Authority clientCa = TestCertificates.authority("roster eureka-it clients CA");
  private TestCluster nodes;
  private final List<Probe> probes = new ArrayList<>();
  private Path logs;

  @AfterEach
  void stopEverything() {
    probes.forEach(Probe::close);
    if (nodes != null) {
      nodes.close();
    }
  }

  private void startCluster(String test) {
    logs = EurekaScenarios.logDir("EurekaTlsIT-" + test);
    for (int i = 0; i < 3; i++) {
      clusterCa
          .issue("node" + i, "127.0.0.1")
          .write(dir.resolve("node" + i + ".pem"), dir.resolve("node" + i + ".key"));
    }
    Map<String, String> s = new HashMap<>(TestCluster.SHORT_TIMINGS);
    s.putAll(EurekaScenarios.nodeSettings(ENV));
    s.put("tls-cert", dir.resolve("node{node}.pem").toString());
    s.put("tls-key", dir.resolve("node{node}.key").toString());
    s.put("tls-ca", clusterCa.writeCertificate(dir.resolve("cluster-ca.pem")).toString());
    s.put("tls-client-ca", clientCa.writeCertificate(dir.resolve("clients-ca.pem")).toString());
    nodes = TestCluster.start(3, s);
    nodes.awaitReady(EurekaScenarios.READY);
  }

  /** What an app's application.properties would say; the key store only if {@code client}. */
  private Map<String, String> springTls(String app, Issued client) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("eureka.client.tls.enabled", "true");
    p.put("eureka.client.tls.trust-store", "file:" + trustStore(clusterCa.certificate()));
    p.put("eureka.client.tls.trust-store-password", PASSWORD);
    if (client != null) {
      p.put("eureka.client.tls.key-store", "file:" + keyStore(app, client));
      p.put("eureka.client.tls.key-store-password", PASSWORD);
      p.put("eureka.client.tls.key-password", PASSWORD);
    }
    return p;
  }

  /** Every node's https Eureka URL, node {@code first} first. */
  private List<String> serviceUrls(int first) {
    List<String> urls = new ArrayList<>();
    urls.add(nodes.url(first) + "/eureka/");
    for (int i = 0; i < nodes.size(); i++) {
      if (i != first) {
        urls.add(nodes.url(i) + "/eureka/");
      }
    }
    return urls;
  }

  private Probe start(Generation g, String app, String ip, int first, Map<String, String> tls) {
    Probe p = Probe.start(g, app, ip, "z-tls", serviceUrls(first), logs, tls);
    probes.add(p);
    return p.awaitStarted(EurekaScenarios.START);
  }

  private long renewedAt(int node, Probe p) {
    return nodes
        .instance(node, ENV, p.app, p.instanceId())
        .map(Instance::renewTimestamp)
        .orElse(-1L);
  }

  @ParameterizedTest
  @EnumSource(Generation.class)
  void theRealClientRegistersFetchesAndFailsOverOverMutualTls(Generation g) {
    startCluster(g.label());
    int leader = nodes.awaitLeader();
    Probe p = start(g, "tls-" + g.label(), "127.0.0.5", leader, springTls("tls-app", client()));

    await("the app registered over HTTPS, on every node; log " + p.log)
        .atMost(Duration.ofSeconds(60))
        .until(() -> nodes.everyRunningNodeHas(ENV, p.app, p.instanceId()));
    await("the app's own fetch over HTTPS shows it; log " + p.log)
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> p.peerIds(p.app).contains(p.instanceId()));
    long before = renewedAt(leader, p);
    await("renews arrive over HTTPS")
        .atMost(Duration.ofSeconds(30))
        .until(() -> renewedAt(leader, p) > before);

    // the node the app talks to, and the leader, dies: the client moves to the next https URL
    // and the cluster elects another leader; the app stays registered and its renews go on
    nodes.killNode(leader);
    int next = nodes.awaitLeader(Duration.ofSeconds(30));
    long killedAt = renewedAt(next, p);
    await("renews go on through another node after the leader died; log " + p.log)
        .atMost(Duration.ofSeconds(60))
        .until(() -> renewedAt(next, p) > killedAt);
    assertThat(nodes.everyRunningNodeHas(ENV, p.app, p.instanceId())).isTrue();
    assertThat(p.isAlive()).isTrue();
  }

  @Test
  void withoutAClientCertificateTheRealClientIsRefusedAndNothingIsRegistered() {
    startCluster("no-client-cert");
    Probe p =
        start(Generation.BOOT3, "tls-anon", "127.0.0.6", nodes.awaitLeader(), springTls("x", null));

    await("the client tried to register and failed; log " + p.log)
        .atMost(Duration.ofSeconds(60))
        .until(() -> p.count("registration failed") >= 1);
    assertThat(p.log())
        .as("the node refused the handshake: no client certificate")
        .contains("Received fatal alert: bad_certificate");
    for (int i = 0; i < nodes.size(); i++) {
      assertThat(nodes.instance(i, ENV, p.app, p.instanceId())).as("node %d", i).isEmpty();
    }
  }

  private Issued client() {
    return clientCa.issue("eureka-it app");
  }

  private Path trustStore(X509Certificate ca) {
    return TestCertificates.save(
        TestCertificates.trustStore(ca), dir.resolve("trust.p12"), PASSWORD.toCharArray());
  }

  private Path keyStore(String name, Issued cert) {
    char[] pw = PASSWORD.toCharArray();
    return TestCertificates.save(cert.keyStore(name, pw), dir.resolve(name + ".p12"), pw);
  }
}
