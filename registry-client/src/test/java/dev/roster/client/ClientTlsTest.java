package dev.roster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's TLS settings: good files make a context, bad ones an error naming the setting. */
class ClientTlsTest {
  @TempDir Path dir;
  private final TestCertificates.Authority ca = TestCertificates.authority("ca");

  private RosterClient.Builder builder() {
    return RosterClient.builder().nodes("https://127.0.0.1:7443").env("prod");
  }

  @Test
  void aCaAndAClientCertificateMakeATls12Or13Context() {
    Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
    ca.issue("client").write(dir.resolve("c.pem"), dir.resolve("c.key"));
    Settings s =
        builder()
            .trustCertificates(caFile)
            .clientCertificate(dir.resolve("c.pem"), dir.resolve("c.key"))
            .settings();
    assertThat(s.tls()).isNotNull();
    assertThat(s.tls().parameters().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(builder().settings().tls()).isNull();
  }

  @Test
  void badFilesAreNamed() throws IOException {
    assertThatThrownBy(() -> builder().trustCertificates(dir.resolve("none.pem")).settings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trustCertificates: ")
        .hasMessageContaining("does not exist");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing\n");
    assertThatThrownBy(() -> builder().trustCertificates(empty).settings())
        .hasMessageStartingWith("trustCertificates: ")
        .hasMessageContaining("no PEM certificate");
    ca.issue("client").write(dir.resolve("c.pem"), dir.resolve("c.key"));
    ca.issue("other").write(dir.resolve("o.pem"), dir.resolve("o.key"));
    assertThatThrownBy(
            () ->
                builder().clientCertificate(dir.resolve("c.pem"), dir.resolve("o.key")).settings())
        .hasMessageStartingWith("clientCertificate: ")
        .hasMessageContaining("does not belong to the certificate CN=client");
    Path pkcs1 =
        Files.writeString(
            dir.resolve("rsa.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> builder().clientCertificate(dir.resolve("c.pem"), pkcs1).settings())
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    assertThatThrownBy(
            () -> builder().trustStore(dir.resolve("c.pem"), "x".toCharArray()).settings())
        .hasMessageStartingWith("trustStore: cannot read");
  }

  @Test
  void aCallersContextExcludesTheFiles() throws Exception {
    Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
    assertThatThrownBy(
            () ->
                builder().sslContext(SSLContext.getDefault()).trustCertificates(caFile).settings())
        .hasMessageStartingWith("sslContext: cannot be combined");
    assertThat(builder().sslContext(SSLContext.getDefault()).settings().tls()).isNotNull();
  }
}
