package dev.roster.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client's TLS, from the builder's files: whom it trusts (PEM CA certificates or a key store;
 * default: the JDK's) and the certificate it presents (PEM chain and PKCS#8 key; default: none).
 * TLS 1.2 and 1.3 only; host names are verified (the JDK HttpClient's default).
 */
record ClientTls(SSLContext context, SSLParameters parameters) {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  /** What the builder was given; every field may be null. */
  record Sources(
      Path trustCertificates,
      Path trustStore,
      char[] trustStorePassword,
      Path clientCertificate,
      Path clientKey,
      SSLContext sslContext) {}

  /** The TLS of these settings, or null when nothing was set (the JDK defaults apply). */
  static ClientTls of(Sources f) {
    boolean files =
        f.trustCertificates() != null || f.trustStore() != null || f.clientCertificate() != null;
    if (f.sslContext() != null) {
      if (files) {
        throw new IllegalArgumentException(
            "sslContext: cannot be combined with trustCertificates, trustStore or clientCertificate");
      }
      return new ClientTls(f.sslContext(), parameters(f.sslContext()));
    }
    if (!files) {
      return null;
    }
    if (f.trustCertificates() != null && f.trustStore() != null) {
      throw new IllegalArgumentException("trustCertificates: cannot be combined with trustStore");
    }
    try {
      TrustManagerFactory tmf = null;
      if (f.trustCertificates() != null) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        List<X509Certificate> cas = certificates("trustCertificates", f.trustCertificates());
        for (int i = 0; i < cas.size(); i++) {
          ks.setCertificateEntry("ca-" + i, cas.get(i));
        }
        tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
      } else if (f.trustStore() != null) {
        KeyStore ks;
        try {
          ks = KeyStore.getInstance(f.trustStore().toFile(), f.trustStorePassword());
        } catch (IOException | GeneralSecurityException e) {
          throw new IllegalArgumentException(
              "trustStore: cannot read " + f.trustStore() + " (" + e.getMessage() + ")");
        }
        tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
      }
      KeyManagerFactory kmf = null;
      if (f.clientCertificate() != null) {
        List<X509Certificate> chain = certificates("clientCertificate", f.clientCertificate());
        PrivateKey key = privateKey(f.clientKey(), chain.get(0));
        char[] pw = "in-memory".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", key, pw, chain.toArray(X509Certificate[]::new));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(
          kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(),
          null);
      return new ClientTls(ctx, parameters(ctx));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("TLS: cannot set up the client's TLS: " + e.getMessage());
    }
  }

  private static SSLParameters parameters(SSLContext ctx) {
    SSLParameters p = ctx.getDefaultSSLParameters();
    p.setProtocols(PROTOCOLS);
    return p;
  }

  private static List<String[]> blocks(String setting, Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(setting + ": " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException(setting + ": cannot read " + file + ": " + e.getMessage());
    }
    List<String[]> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      blocks.add(new String[] {m.group(1), m.group(2)});
    }
    return blocks;
  }

  private static byte[] der(String setting, Path file, String base64) {
    try {
      return Base64.getMimeDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          setting + ": " + file + " holds a PEM block that is not base64");
    }
  }

  static List<X509Certificate> certificates(String setting, Path file) {
    List<X509Certificate> certs = new ArrayList<>();
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      for (String[] b : blocks(setting, file)) {
        if (b[0].equals("CERTIFICATE")) {
          certs.add(
              (X509Certificate)
                  f.generateCertificate(new ByteArrayInputStream(der(setting, file, b[1]))));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting + ": " + file + " holds a broken certificate: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(
          setting + ": " + file + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    return certs;
  }

  private static PrivateKey privateKey(Path file, X509Certificate cert) {
    String setting = "clientCertificate";
    String[] key = null;
    for (String[] b : blocks(setting, file)) {
      if (b[0].equals("PRIVATE KEY")) {
        key = b;
      } else if (b[0].endsWith("PRIVATE KEY")) {
        throw new IllegalArgumentException(
            setting
                + ": the key "
                + file
                + " is a "
                + b[0]
                + "; the client reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY): convert it with"
                + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
      }
    }
    if (key == null) {
      throw new IllegalArgumentException(
          setting + ": the key " + file + " holds no PEM private key (BEGIN PRIVATE KEY)");
    }
    PublicKey pub = cert.getPublicKey();
    PrivateKey pk;
    try {
      pk =
          KeyFactory.getInstance(pub.getAlgorithm())
              .generatePrivate(new PKCS8EncodedKeySpec(der(setting, file, key[1])));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting
              + ": the key "
              + file
              + " is not a "
              + pub.getAlgorithm()
              + " key: "
              + e.getMessage());
    }
    if (!matches(pk, pub)) {
      throw new IllegalArgumentException(
          setting
              + ": the key "
              + file
              + " does not belong to the certificate "
              + cert.getSubjectX500Principal().getName());
    }
    return pk;
  }

  private static boolean matches(PrivateKey key, PublicKey pub) {
    String alg =
        switch (pub.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (alg == null) {
      return true;
    }
    try {
      byte[] probe = "roster key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
