package dev.roster.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificate authorities and certificates for TLS tests, made in memory (EC P-256, SHA-256) and
 * written as the PEM files a node or client is configured with: a CA certificate, a certificate and
 * a PKCS#8 private key (owner-only permissions). A certificate can be made already expired or not
 * yet valid, and each authority is independent, so a test can show what another CA's certificate
 * gets.
 */
public final class TestCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() {}

  /** A new self-signed CA, valid from a day ago for ten years. */
  public static Authority authority(String name) {
    KeyPair keys = newKeys();
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=" + name);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(3650))),
              subject,
              keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Authority(name, keys, sign(b, keys.getPrivate()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** A CA: issues certificates and writes its own certificate. */
  public record Authority(String name, KeyPair keys, X509Certificate certificate) {

    /**
     * A server-and-client certificate for {@code cn}, valid for {@code localhost} and the given IP
     * addresses or DNS names, from a day ago for 30 days.
     */
    public Issued issue(String cn, String... names) {
      Instant now = Instant.now();
      return issue(cn, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), names);
    }

    /** A certificate that expired an hour ago (valid for a day before that). */
    public Issued issueExpired(String cn, String... names) {
      Instant now = Instant.now();
      return issue(cn, now.minus(Duration.ofDays(1)), now.minus(Duration.ofHours(1)), names);
    }

    public Issued issue(String cn, Instant notBefore, Instant notAfter, String... names) {
      KeyPair leaf = newKeys();
      List<GeneralName> sans = new ArrayList<>();
      sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
      for (String n : names) {
        boolean ip = n.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == ':');
        sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
      }
      try {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b =
            new JcaX509v3CertificateBuilder(
                certificate,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore),
                Date.from(notAfter),
                new X500Name("CN=" + cn),
                leaf.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(sans.toArray(GeneralName[]::new)));
        b.addExtension(
            Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
        return new Issued(leaf.getPrivate(), sign(b, keys.getPrivate()), certificate);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Writes this CA's certificate (PEM) to {@code file} and returns it. */
    public Path writeCertificate(Path file) {
      return writePem(file, "CERTIFICATE", encoded(certificate), false);
    }

    /** A PKCS12 trust store (in memory) holding this CA's certificate. */
    public KeyStore trustStore() {
      return TestCertificates.trustStore(certificate);
    }
  }

  /** A certificate, its private key and the CA that signed it. */
  public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {

    /** Writes the certificate (PEM) and its key (PKCS#8 PEM, owner-only). */
    public void write(Path certFile, Path keyFile) {
      writePem(certFile, "CERTIFICATE", encoded(certificate), false);
      writePem(keyFile, "PRIVATE KEY", key.getEncoded(), true);
    }

    /** A PKCS12 key store (in memory): the key under {@code alias}, with its chain to the CA. */
    public KeyStore keyStore(String alias, char[] password) {
      try {
        KeyStore ks = emptyStore();
        ks.setKeyEntry(alias, key, password, new X509Certificate[] {certificate, issuer});
        return ks;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A PKCS12 trust store (in memory) holding {@code cas}. */
  public static KeyStore trustStore(X509Certificate... cas) {
    try {
      KeyStore ks = emptyStore();
      for (int i = 0; i < cas.length; i++) {
        ks.setCertificateEntry("ca-" + i, cas[i]);
      }
      return ks;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code store} to {@code file} with {@code password} and returns the file. */
  public static Path save(KeyStore store, Path file, char[] password) {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ks;
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path writePem(Path file, String type, byte[] der, boolean secret) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      // written beside and moved into place: a node reloading the file never reads half of it
      Path tmp = Files.createTempFile(parent, ".pem", ".tmp");
      Files.writeString(tmp, pem);
      if (secret) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      }
      return Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
