package dev.roster.node.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** One reading of a node's {@link TlsFiles}: its key and chain, and the CAs it trusts. */
record TlsMaterial(
    PrivateKey key,
    List<X509Certificate> chain,
    List<X509Certificate> clusterCas,
    List<X509Certificate> clientCas) {

  static TlsMaterial read(TlsFiles files) {
    List<X509Certificate> chain = Pem.certificates("tls-cert", files.certificate());
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new TlsException(
          "tls-cert: the certificate in "
              + files.certificate()
              + " expired on "
              + leaf.getNotAfter());
    } catch (CertificateNotYetValidException e) {
      throw new TlsException(
          "tls-cert: the certificate in "
              + files.certificate()
              + " is not valid before "
              + leaf.getNotBefore());
    }
    PrivateKey key = Pem.privateKey("tls-key", files.key(), leaf);
    List<X509Certificate> cluster = Pem.certificates("tls-ca", files.clusterCa());
    List<X509Certificate> clients =
        files.clientCa() == null ? List.of() : Pem.certificates("tls-client-ca", files.clientCa());
    return new TlsMaterial(key, List.copyOf(chain), List.copyOf(cluster), List.copyOf(clients));
  }

  X509Certificate leaf() {
    return chain.get(0);
  }

  /** Subject, expiry and SHA-256 fingerprint of this node's certificate, for log lines. */
  String describe() {
    X509Certificate leaf = leaf();
    String fingerprint;
    try {
      fingerprint =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()))
              .substring(0, 16);
    } catch (GeneralSecurityException e) {
      fingerprint = "?";
    }
    return leaf.getSubjectX500Principal().getName()
        + " (valid until "
        + leaf.getNotAfter().toInstant()
        + ", sha256 "
        + fingerprint
        + "…)";
  }

  /** Days until this node's certificate expires (negative once it has). */
  long daysLeft(Date now) {
    return (leaf().getNotAfter().getTime() - now.getTime()) / 86_400_000L;
  }

  X509ExtendedKeyManager keyManager() {
    try {
      KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      char[] inMemory = "in-memory".toCharArray();
      f.init(keyStore(inMemory), inMemory);
      return (X509ExtendedKeyManager) f.getKeyManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new TlsException("tls-key: cannot use the key: " + e.getMessage());
    }
  }

  /** PKIX validation (expiry included) against {@code cas} only, never the JDK's public CAs. */
  static X509ExtendedTrustManager trustManager(List<X509Certificate> cas) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
      f.init(ks);
      for (TrustManager tm : f.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new TlsException("no X.509 trust manager in this JDK");
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsException("cannot build a trust manager: " + e.getMessage());
    }
  }

  /** The certificates HTTP clients may present: those of the client CA, and the nodes' own. */
  List<X509Certificate> httpClientCas() {
    List<X509Certificate> cas = new ArrayList<>(clientCas);
    cas.addAll(clusterCas);
    return cas;
  }

  /**
   * A PKCS#12 store of this node's key (entry {@code node}, protected by {@code password}) and the
   * cluster's CAs as trusted entries: what bolt's SSL reads for Raft connections.
   */
  KeyStore keyStore(char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("node", key, password, chain.toArray(X509Certificate[]::new));
      for (int i = 0; i < clusterCas.size(); i++) {
        ks.setCertificateEntry("cluster-ca-" + i, clusterCas.get(i));
      }
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsException("tls-key: cannot store the key: " + e.getMessage());
    }
  }

  void writeKeyStore(OutputStream out, char[] password) throws IOException {
    try {
      keyStore(password).store(out, password);
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }
}
