package dev.roster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
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

  @Test
  void noTlsSettingsStillLimitTheProtocols() {
    assertThat(ClientTls.jdkDefault().parameters().getProtocols())
        .containsExactly("TLSv1.3", "TLSv1.2");
  }

  @Test
  void aCertificateFileHoldingOnlyAKeySaysSo() {
    ca.issue("client").write(dir.resolve("c.pem"), dir.resolve("c.key"));
    assertThatThrownBy(() -> builder().trustCertificates(dir.resolve("c.key")).settings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trustCertificates: " + dir.resolve("c.key"))
        .hasMessageContaining("no PEM certificate")
        .hasMessageContaining("only BEGIN PRIVATE KEY");
  }

  @Test
  void everyPemCertificateOfTheFileIsTrusted() throws IOException {
    TestCertificates.Authority other = TestCertificates.authority("other");
    String both =
        Files.readString(ca.writeCertificate(dir.resolve("a.pem")))
            + "subject=CN=other\n"
            + Files.readString(other.writeCertificate(dir.resolve("b.pem")));
    Path bundle = Files.writeString(dir.resolve("bundle.pem"), both);
    assertThat(Pem.certificates("trustCertificates", bundle))
        .extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=ca", "CN=other");
    assertThat(builder().trustCertificates(bundle).settings().tls()).isNotNull();
  }

  @Test
  void pkcs1Sec1AndEncryptedKeysAreRefusedWithTheCommandThatConvertsThem() throws Exception {
    ca.issue("client").write(dir.resolve("c.pem"), dir.resolve("c.key"));
    PrivateKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
    Path pkcs1 = pem(dir.resolve("rsa.key"), "RSA PRIVATE KEY", innerKey(rsa.getEncoded()));
    PrivateKey ec = TestCertificates.authority("x").keys().getPrivate();
    Path sec1 = pem(dir.resolve("ec.key"), "EC PRIVATE KEY", innerKey(ec.getEncoded()));
    Path encrypted = pem(dir.resolve("enc.key"), "ENCRYPTED PRIVATE KEY", new byte[64]);
    Path legacy =
        Files.writeString(
            dir.resolve("legacy.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nAAAA\n"
                + "-----END RSA PRIVATE KEY-----\n");
    for (Path key : new Path[] {pkcs1, sec1, encrypted, legacy}) {
      assertThatThrownBy(
              () -> builder().clientCertificate(dir.resolve("c.pem"), key).settings(),
              key.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("clientCertificate: the key " + key)
          .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
    }
    assertThatThrownBy(() -> builder().clientCertificate(dir.resolve("c.pem"), pkcs1).settings())
        .hasMessageContaining("PKCS#1");
    assertThatThrownBy(() -> builder().clientCertificate(dir.resolve("c.pem"), sec1).settings())
        .hasMessageContaining("SEC1");
    assertThatThrownBy(
            () -> builder().clientCertificate(dir.resolve("c.pem"), encrypted).settings())
        .hasMessageContaining("encrypted");
  }

  @Test
  void aKeyOfAnotherAlgorithmThanTheCertificatesDoesNotBelongToIt() throws Exception {
    ca.issue("client").write(dir.resolve("c.pem"), dir.resolve("c.key"));
    PrivateKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
    Path key = pem(dir.resolve("rsa.key"), "PRIVATE KEY", rsa.getEncoded());
    assertThatThrownBy(() -> builder().clientCertificate(dir.resolve("c.pem"), key).settings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("clientCertificate: the key " + key)
        .hasMessageContaining("is an RSA key but the certificate's public key is EC")
        .hasMessageContaining("does not belong to the certificate");
  }

  @Test
  void aMissingClientKeyOrCertificateIsNamed() {
    ca.issue("client").write(dir.resolve("c.pem"), dir.resolve("c.key"));
    assertThatThrownBy(
            () ->
                builder()
                    .clientCertificate(dir.resolve("c.pem"), dir.resolve("none.key"))
                    .settings())
        .hasMessageStartingWith("clientCertificate: " + dir.resolve("none.key"))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(
            () ->
                builder()
                    .clientCertificate(dir.resolve("none.pem"), dir.resolve("c.key"))
                    .settings())
        .hasMessageStartingWith("clientCertificate: " + dir.resolve("none.pem"))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> builder().clientCertificate(dir.resolve("c.pem"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("clientCertificate (keyPem): must not be null");
  }

  @Test
  void trustStoreProblemsAreNamed() throws Exception {
    assertThatThrownBy(
            () -> builder().trustStore(dir.resolve("none.p12"), "x".toCharArray()).settings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trustStore: " + dir.resolve("none.p12"))
        .hasMessageContaining("does not exist");
    char[] password = "changeit".toCharArray();
    Path store = store(dir.resolve("trust.jks"), "JKS", password, true);
    assertThat(builder().trustStore(store, password).settings().tls()).isNotNull();
    assertThatThrownBy(() -> builder().trustStore(store, "wrong".toCharArray()).settings())
        .hasMessageStartingWith("trustStore: cannot read " + store)
        .hasMessageContaining("wrong password");
    Path empty = store(dir.resolve("empty.p12"), "PKCS12", password, false);
    assertThatThrownBy(() -> builder().trustStore(empty, password).settings())
        .hasMessageStartingWith("trustStore: " + empty)
        .hasMessageContaining("holds no certificate");
    Path both = ca.writeCertificate(dir.resolve("ca.pem"));
    assertThatThrownBy(
            () -> builder().trustStore(store, password).trustCertificates(both).settings())
        .hasMessageStartingWith("trustCertificates: cannot be combined with trustStore");
  }

  @Test
  void aCallersContextMustBeInitialized() throws Exception {
    assertThatThrownBy(() -> builder().sslContext(SSLContext.getInstance("TLS")).settings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sslContext: the context is not initialized");
    assertThatThrownBy(
            () ->
                builder()
                    .sslContext(SSLContext.getDefault())
                    .clientCertificate(dir.resolve("c.pem"), dir.resolve("c.key"))
                    .settings())
        .hasMessageStartingWith("sslContext: cannot be combined");
  }

  private Path store(Path file, String type, char[] password, boolean withCa) throws Exception {
    KeyStore ks = KeyStore.getInstance(type);
    ks.load(null, null);
    if (withCa) {
      ks.setCertificateEntry("ca", ca.certificate());
    }
    return TestCertificates.save(ks, file, password);
  }

  private static Path pem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return Files.writeString(
        file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
  }

  /**
   * The privateKey OCTET STRING of a PKCS#8 PrivateKeyInfo: the PKCS#1 key of an RSA key, the SEC1
   * key of an EC key.
   */
  private static byte[] innerKey(byte[] pkcs8) {
    int[] at = {0};
    enter(pkcs8, at, 0x30); // PrivateKeyInfo
    skip(pkcs8, at); // version
    skip(pkcs8, at); // privateKeyAlgorithm
    int length = enter(pkcs8, at, 0x04);
    return Arrays.copyOfRange(pkcs8, at[0], at[0] + length);
  }

  private static int enter(byte[] der, int[] at, int tag) {
    assertThat(der[at[0]++] & 0xff).isEqualTo(tag);
    return length(der, at);
  }

  private static void skip(byte[] der, int[] at) {
    at[0]++;
    int length = length(der, at);
    at[0] += length;
  }

  private static int length(byte[] der, int[] at) {
    int first = der[at[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int length = 0;
    for (int i = 0; i < (first & 0x7f); i++) {
      length = (length << 8) | (der[at[0]++] & 0xff);
    }
    return length;
  }
}
