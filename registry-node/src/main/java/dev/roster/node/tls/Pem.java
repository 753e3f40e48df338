package dev.roster.node.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as openssl writes them: certificates ({@code BEGIN CERTIFICATE}, one or more) and
 * unencrypted PKCS#8 private keys ({@code BEGIN PRIVATE KEY}). Every problem is a {@link
 * TlsException} naming the setting and the file.
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  private Pem() {}

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(String setting, Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TlsException(setting + ": " + file + " does not exist");
    } catch (IOException e) {
      throw new TlsException(setting + ": cannot read " + file + ": " + e.getMessage());
    }
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new TlsException(
            setting + ": " + file + " holds a " + m.group(1) + " that is not base64");
      }
    }
    return blocks;
  }

  /** The certificates of a PEM file, in file order (a chain: the leaf first). */
  static List<X509Certificate> certificates(String setting, Path file) {
    List<X509Certificate> certs = new ArrayList<>();
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(setting, file)) {
        if (b.type().equals("CERTIFICATE")) {
          certs.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (CertificateException e) {
      throw new TlsException(
          setting + ": " + file + " holds a broken certificate: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new TlsException(
          setting + ": " + file + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    return certs;
  }

  /** The private key of a PEM file, checked to belong to {@code certificate}. */
  static PrivateKey privateKey(String setting, Path file, X509Certificate certificate) {
    List<Block> blocks = blocks(setting, file);
    Block key = null;
    for (Block b : blocks) {
      if (b.type().equals("PRIVATE KEY")) {
        key = b;
      } else if (b.type().endsWith("PRIVATE KEY")) {
        throw new TlsException(
            setting
                + ": "
                + file
                + " holds a "
                + b.type()
                + "; Roster reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY): convert it with"
                + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
      }
    }
    if (key == null) {
      throw new TlsException(
          setting + ": " + file + " holds no PEM private key (BEGIN PRIVATE KEY)");
    }
    PublicKey pub = certificate.getPublicKey();
    PrivateKey pk;
    try {
      pk =
          KeyFactory.getInstance(pub.getAlgorithm())
              .generatePrivate(new PKCS8EncodedKeySpec(key.der()));
    } catch (GeneralSecurityException e) {
      throw new TlsException(
          setting
              + ": "
              + file
              + " is not a "
              + pub.getAlgorithm()
              + " key (the certificate's): "
              + e.getMessage());
    }
    if (!matches(pk, pub)) {
      throw new TlsException(
          setting
              + ": the key in "
              + file
              + " does not belong to the certificate "
              + certificate.getSubjectX500Principal().getName());
    }
    return pk;
  }

  private static boolean matches(PrivateKey key, PublicKey pub) {
    String alg =
        switch (pub.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (alg == null) {
      return true; // an algorithm we cannot test: the handshake will tell
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
