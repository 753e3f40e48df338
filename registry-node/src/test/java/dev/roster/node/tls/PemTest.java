package dev.roster.node.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad TLS files are refused with a message naming the setting and the file. */
class PemTest {
  @TempDir Path dir;
  private final TestCertificates.Authority ca = TestCertificates.authority("ca");

  private TlsFiles files(TestCertificates.Issued cert) {
    cert.write(dir.resolve("n.pem"), dir.resolve("n.key"));
    return new TlsFiles(
        dir.resolve("n.pem"),
        dir.resolve("n.key"),
        ca.writeCertificate(dir.resolve("ca.pem")),
        null);
  }

  @Test
  void aGoodSetIsRead() {
    TlsMaterial m = TlsMaterial.read(files(ca.issue("node", "127.0.0.1")));
    assertThat(m.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=node");
    assertThat(m.describe()).contains("CN=node").contains("valid until");
  }

  @Test
  void aMissingFileIsNamed() {
    TlsFiles f = files(ca.issue("node"));
    TlsFiles missing = new TlsFiles(f.certificate(), f.key(), dir.resolve("nope.pem"), null);
    assertThatThrownBy(() -> TlsMaterial.read(missing))
        .isInstanceOf(TlsException.class)
        .hasMessageStartingWith("tls-ca: ")
        .hasMessageContaining("nope.pem does not exist");
  }

  @Test
  void aFileWithoutACertificateIsNamed() throws IOException {
    TlsFiles f = files(ca.issue("node"));
    Files.writeString(f.certificate(), "not a certificate\n");
    assertThatThrownBy(() -> TlsMaterial.read(f))
        .isInstanceOf(TlsException.class)
        .hasMessageStartingWith("tls-cert: ")
        .hasMessageContaining("holds no PEM certificate");
  }

  @Test
  void aPkcs1OrSec1KeyIsRefusedWithTheConversionCommand() throws IOException {
    TlsFiles f = files(ca.issue("node"));
    Files.writeString(
        f.key(), "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsMaterial.read(f))
        .isInstanceOf(TlsException.class)
        .hasMessageStartingWith("tls-key: ")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    TlsFiles f = files(ca.issue("node"));
    ca.issue("other").write(dir.resolve("o.pem"), dir.resolve("o.key"));
    TlsFiles mixed = new TlsFiles(f.certificate(), dir.resolve("o.key"), f.clusterCa(), null);
    assertThatThrownBy(() -> TlsMaterial.read(mixed))
        .isInstanceOf(TlsException.class)
        .hasMessageStartingWith("tls-key: ")
        .hasMessageContaining("does not belong to the certificate CN=node");
  }

  @Test
  void anExpiredCertificateIsRefused() {
    assertThatThrownBy(() -> TlsMaterial.read(files(ca.issueExpired("node"))))
        .isInstanceOf(TlsException.class)
        .hasMessageStartingWith("tls-cert: ")
        .hasMessageContaining("expired on");
  }
}
