package dev.roster.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client's TLS, from the builder's files: whom it trusts (PEM CA certificates or a key store;
 * default: the JDK's) and the certificate it presents (PEM chain and PKCS#8 key, read by {@link
 * Pem}, the key checked against the certificate; default: none). TLS 1.2 and 1.3 only; host names
 * are verified (the JDK HttpClient's default). Every problem is an {@link IllegalArgumentException}
 * that starts with the setting and names the file.
 */
record ClientTls(SSLContext context, SSLParameters parameters) {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

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
      return new ClientTls(f.sslContext(), parameters("sslContext", f.sslContext()));
    }
    if (!files) {
      return null;
    }
    if (f.trustCertificates() != null && f.trustStore() != null) {
      throw new IllegalArgumentException("trustCertificates: cannot be combined with trustStore");
    }
    TrustManager[] trust = null;
    if (f.trustCertificates() != null) {
      trust = trustCertificates(f.trustCertificates());
    } else if (f.trustStore() != null) {
      trust = trustStore(f.trustStore(), f.trustStorePassword());
    }
    KeyManager[] identity = null;
    if (f.clientCertificate() != null) {
      identity = clientCertificate(f.clientCertificate(), f.clientKey());
    }
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(identity, trust, null);
      return new ClientTls(ctx, parameters("TLS", ctx));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make a TLS context", e);
    }
  }

  /** The JDK's default context, with the protocols every client is limited to. */
  static ClientTls jdkDefault() {
    try {
      SSLContext ctx = SSLContext.getDefault();
      return new ClientTls(ctx, parameters("TLS", ctx));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
  }

  private static TrustManager[] trustCertificates(Path file) {
    String setting = "trustCertificates";
    List<X509Certificate> cas = Pem.certificates(setting, file);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      return trustManagers(ks);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          setting + ": cannot trust the certificates of " + file + ": " + e.getMessage());
    }
  }

  private static TrustManager[] trustStore(Path file, char[] password) {
    String setting = "trustStore";
    if (!Files.isRegularFile(file)) {
      // KeyStore.getInstance would throw an IllegalArgumentException naming neither
      throw new IllegalArgumentException(
          setting + ": " + file + (Files.exists(file) ? " is not a file" : " does not exist"));
    }
    KeyStore ks;
    try {
      ks = KeyStore.getInstance(file.toFile(), password);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new IllegalArgumentException(
            setting + ": cannot read " + file + ": wrong password (" + e.getMessage() + ")");
      }
      throw new IllegalArgumentException(
          setting + ": cannot read " + file + " as a PKCS#12 or JKS key store: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting + ": cannot read " + file + " as a PKCS#12 or JKS key store: " + e.getMessage());
    }
    try {
      boolean any = false;
      for (String alias : Collections.list(ks.aliases())) {
        any |= ks.getCertificate(alias) instanceof X509Certificate;
      }
      if (!any) {
        throw new IllegalArgumentException(setting + ": " + file + " holds no certificate");
      }
      return trustManagers(ks);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting + ": cannot trust the certificates of " + file + ": " + e.getMessage());
    }
  }

  private static KeyManager[] clientCertificate(Path certificateFile, Path keyFile) {
    String setting = "clientCertificate";
    List<X509Certificate> chain = Pem.certificates(setting, certificateFile);
    X509Certificate leaf = chain.get(0);
    PublicKey pub = leaf.getPublicKey();
    PrivateKey key = Pem.privateKey(setting, keyFile, pub.getAlgorithm());
    if (!matches(key, pub)) {
      throw new IllegalArgumentException(
          setting
              + ": the key "
              + keyFile
              + " does not belong to the certificate "
              + leaf.getSubjectX500Principal().getName()
              + " of "
              + certificateFile);
    }
    char[] pw = "in-memory".toCharArray();
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", key, pw, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      return kmf.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          setting
              + ": cannot use the certificate "
              + certificateFile
              + " with the key "
              + keyFile
              + ": "
              + e.getMessage());
    }
  }

  private static TrustManager[] trustManagers(KeyStore ks) throws GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    return tmf.getTrustManagers();
  }

  /**
   * The context's default parameters with only the {@link #PROTOCOLS} it supports enabled; a
   * context that is not initialized or supports neither is an error of {@code setting}.
   */
  private static SSLParameters parameters(String setting, SSLContext ctx) {
    SSLParameters p;
    List<String> supported;
    try {
      p = ctx.getDefaultSSLParameters();
      supported = List.of(ctx.getSupportedSSLParameters().getProtocols());
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(
          setting + ": the context is not initialized (call SSLContext.init first)");
    }
    List<String> enabled = new ArrayList<>(List.of(PROTOCOLS));
    enabled.retainAll(supported);
    if (enabled.isEmpty()) {
      throw new IllegalArgumentException(
          setting + ": the context supports neither TLSv1.3 nor TLSv1.2, only " + supported);
    }
    p.setProtocols(enabled.toArray(String[]::new));
    return p;
  }

  /** Whether {@code key} signs what {@code pub} verifies: the key belongs to the certificate. */
  private static boolean matches(PrivateKey key, PublicKey pub) {
    String alg =
        switch (Pem.family(pub.getAlgorithm())) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> "EdDSA"; // Ed25519 or Ed448, as the key says
        };
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
