package dev.roster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.client.StubNode.Answer;
import dev.roster.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls over TLS to a stub node on HTTPS (the JDK's HttpsServer): trusted, untrusted, expired and
 * misnamed server certificates, and a node that requires client certificates. A failed handshake
 * fails the call with {@link RosterUnavailableException} naming it, and the node never sees the
 * request.
 */
class TlsTest {
  private static final String FETCH = "/discovery/fetch";

  @TempDir Path dir;
  private final TestCertificates.Authority ca = TestCertificates.authority("roster-ca");

  /** A node answering fetches of users.api with one instance, h1. */
  private static StubNode node(SSLContext tls, boolean needClientAuth) {
    return StubNode.https(tls, needClientAuth)
        .on(FETCH, r -> Answer.ok(StubNode.appData("users.api", 7, "h1")));
  }

  /**
   * One attempt per call: a backoff longer than the deadline leaves no time for a second, so a call
   * fails as soon as its handshake does, with that handshake's problem (never with a later attempt
   * cut short by the deadline). Timeouts are generous: a first handshake on a loaded machine can
   * take a second.
   */
  private static RosterClient.Builder client(String url) {
    return RosterClient.newBuilder()
        .nodes(url)
        .env("test")
        .zone("z1")
        .connectTimeout(Duration.ofSeconds(5))
        .requestTimeout(Duration.ofSeconds(5))
        .deadline(Duration.ofSeconds(5))
        .backoffMin(Duration.ofSeconds(30))
        .backoffMax(Duration.ofSeconds(30));
  }

  private Path caFile() {
    return ca.writeCertificate(dir.resolve("ca.pem"));
  }

  @Test
  void aNodeSignedByTheTrustedCaAnswers() throws Exception {
    try (StubNode node = node(serverContext(ca.issue("node", "127.0.0.1"), null), false);
        RosterClient client = client(node.url()).trustCertificates(caFile()).build()) {
      assertThat(node.url()).startsWith("https://");

      AppInstances users = client.fetch("users.api");

      assertThat(users.instances()).extracting(Instance::hostname).containsExactly("h1");
      assertThat(node.count(FETCH)).isEqualTo(1);
    }
  }

  @Test
  void aTrustStoreWorksAsWellAsAPemFile() throws Exception {
    char[] password = "changeit".toCharArray();
    Path store = TestCertificates.save(ca.trustStore(), dir.resolve("trust.p12"), password);
    try (StubNode node = node(serverContext(ca.issue("node", "127.0.0.1"), null), false);
        RosterClient client = client(node.url()).trustStore(store, password).build()) {
      assertThat(client.fetch("users.api").instances()).hasSize(1);
    }
  }

  @Test
  void withTheJdkDefaultTrustTheNodesCaIsNotTrusted() throws Exception {
    try (StubNode node = node(serverContext(ca.issue("node", "127.0.0.1"), null), false);
        RosterClient client = client(node.url()).build()) {
      assertThatThrownBy(() -> client.fetch("users.api"))
          .isInstanceOf(RosterUnavailableException.class)
          .hasMessageContaining("(1 attempt)")
          .hasMessageContaining(node.url())
          .hasMessageContaining("SSLHandshakeException")
          .hasMessageContaining("PKIX path building failed");
      assertThat(node.count(FETCH)).isZero();
    }
  }

  @Test
  void aNodeCertificateFromAnotherCaIsRefused() throws Exception {
    TestCertificates.Authority other = TestCertificates.authority("other-ca");
    try (StubNode node = node(serverContext(other.issue("node", "127.0.0.1"), null), false);
        RosterClient client = client(node.url()).trustCertificates(caFile()).build()) {
      assertThatThrownBy(() -> client.fetch("users.api"))
          .isInstanceOf(RosterUnavailableException.class)
          .hasMessageContaining("SSLHandshakeException")
          .hasMessageContaining("PKIX path building failed");
      assertThat(node.count(FETCH)).isZero();
    }
  }

  @Test
  void anExpiredNodeCertificateIsRefused() throws Exception {
    try (StubNode node = node(serverContext(ca.issueExpired("node", "127.0.0.1"), null), false);
        RosterClient client = client(node.url()).trustCertificates(caFile()).build()) {
      assertThatThrownBy(() -> client.fetch("users.api"))
          .isInstanceOf(RosterUnavailableException.class)
          .hasMessageContaining("SSLHandshakeException")
          .hasMessageContaining("validity check failed");
      assertThat(node.count(FETCH)).isZero();
    }
  }

  @Test
  void theHostNameIsVerified() throws Exception {
    // valid for localhost only, while the client connects to 127.0.0.1
    try (StubNode node = node(serverContext(ca.issue("node"), null), false);
        RosterClient client = client(node.url()).trustCertificates(caFile()).build()) {
      assertThatThrownBy(() -> client.fetch("users.api"))
          .isInstanceOf(RosterUnavailableException.class)
          .hasMessageContaining("SSLHandshakeException")
          .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
      assertThat(node.count(FETCH)).isZero();
    }
  }

  @Test
  void aNodeThatRequiresClientCertificatesAnswersAClientWithOne() throws Exception {
    ca.issue("billing").write(dir.resolve("client.pem"), dir.resolve("client.key"));
    try (StubNode node = node(serverContext(ca.issue("node", "127.0.0.1"), ca), true);
        RosterClient client =
            client(node.url())
                .trustCertificates(caFile())
                .clientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"))
                .build()) {
      assertThat(client.fetch("users.api").instances()).hasSize(1);
    }
  }

  // With TLS 1.3 the client finishes its handshake before the node checks its certificate; the
  // JDK's HttpsServer then closes the connection, so the problem the client sees is an IOException
  // on reading the answer. The node never gets the request.
  @Test
  void aNodeThatRequiresClientCertificatesRefusesAClientWithout() throws Exception {
    try (StubNode node = node(serverContext(ca.issue("node", "127.0.0.1"), ca), true);
        RosterClient client = client(node.url()).trustCertificates(caFile()).build()) {
      assertThatThrownBy(() -> client.fetch("users.api"))
          .isInstanceOf(RosterUnavailableException.class)
          .hasMessageContaining(node.url());
      assertThat(node.count(FETCH)).isZero();
    }
  }

  @Test
  void aNodeThatRequiresClientCertificatesRefusesOneFromAnotherCa() throws Exception {
    TestCertificates.authority("other-ca")
        .issue("billing")
        .write(dir.resolve("client.pem"), dir.resolve("client.key"));
    try (StubNode node = node(serverContext(ca.issue("node", "127.0.0.1"), ca), true);
        RosterClient client =
            client(node.url())
                .trustCertificates(caFile())
                .clientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"))
                .build()) {
      assertThatThrownBy(() -> client.fetch("users.api"))
          .isInstanceOf(RosterUnavailableException.class)
          .hasMessageContaining(node.url());
      assertThat(node.count(FETCH)).isZero();
    }
  }

  @Test
  void tlsSettingsLeavePlainHttpNodesWorking() {
    ca.issue("billing").write(dir.resolve("client.pem"), dir.resolve("client.key"));
    try (StubNode node =
            StubNode.start().on(FETCH, r -> Answer.ok(StubNode.appData("users.api", 7, "h1")));
        RosterClient client =
            client(node.url())
                .trustCertificates(caFile())
                .clientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"))
                .build()) {
      assertThat(client.fetch("users.api").instances()).hasSize(1);
    }
  }

  /**
   * The context of a node presenting {@code certificate}; with {@code clientCa}, trusting the
   * client certificates that CA signed.
   */
  static SSLContext serverContext(
      TestCertificates.Issued certificate, TestCertificates.Authority clientCa) throws Exception {
    char[] pw = "node".toCharArray();
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(certificate.keyStore("node", pw), pw);
    TrustManagerFactory tmf = null;
    if (clientCa != null) {
      tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(clientCa.trustStore());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
    return ctx;
  }
}
