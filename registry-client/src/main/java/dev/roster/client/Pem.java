package dev.roster.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of the client's TLS settings: X.509 certificates ({@code BEGIN CERTIFICATE})
 * and unencrypted PKCS#8 private keys ({@code BEGIN PRIVATE KEY}). Text outside the blocks, such as
 * openssl's {@code subject=} lines, is ignored. Every problem is an {@link
 * IllegalArgumentException} that starts with the setting and names the file.
 */
final class Pem {
  /** A block; its body may start with RFC 1421 headers ({@code Proc-Type}, {@code DEK-Info}). */
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  /** The key families a certificate's public key can be of, as KeyFactory names them. */
  private static final List<String> FAMILIES = List.of("RSA", "EC", "EdDSA");

  private Pem() {}

  private record Block(String type, String body) {}

  /** The certificates of {@code file} in file order (a chain: leaf first); never empty. */
  static List<X509Certificate> certificates(String setting, Path file) {
    List<Block> blocks = blocks(setting, file);
    CertificateFactory x509;
    try {
      x509 = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Block b : blocks) {
      if (b.type().equals("CERTIFICATE")) {
        byte[] der = der(setting, file, b);
        try {
          certificates.add(
              (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(der)));
        } catch (CertificateException e) {
          throw new IllegalArgumentException(
              setting
                  + ": "
                  + file
                  + " holds a broken certificate (number "
                  + (certificates.size() + 1)
                  + "): "
                  + e.getMessage());
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          setting
              + ": "
              + file
              + " holds no PEM certificate (BEGIN CERTIFICATE)"
              + otherBlocks(blocks));
    }
    return certificates;
  }

  /**
   * The one private key of {@code file}, an unencrypted PKCS#8 key of the family of {@code
   * certificateKeyAlgorithm}: the algorithm of the public key of the certificate it goes with (RSA,
   * EC, EdDSA, Ed25519 or Ed448).
   */
  static PrivateKey privateKey(String setting, Path file, String certificateKeyAlgorithm) {
    String family = family(certificateKeyAlgorithm);
    if (family == null) {
      throw new IllegalArgumentException(
          setting
              + ": the certificate for the key "
              + file
              + " has a "
              + certificateKeyAlgorithm
              + " public key; only RSA, EC and EdDSA keys are supported");
    }
    List<Block> blocks = blocks(setting, file);
    Block key = null;
    for (Block b : blocks) {
      String type = b.type();
      if (type.equals("PRIVATE KEY")) {
        if (key != null) {
          throw new IllegalArgumentException(
              setting + ": the key " + file + " holds more than one private key");
        }
        key = b;
      } else if (type.equals("ENCRYPTED PRIVATE KEY")) {
        throw unusable(setting, file, "an encrypted PKCS#8 key (BEGIN " + type + ")");
      } else if (type.equals("RSA PRIVATE KEY")) {
        throw unusable(setting, file, "a PKCS#1 RSA key (BEGIN " + type + ")");
      } else if (type.equals("EC PRIVATE KEY")) {
        throw unusable(setting, file, "a SEC1 EC key (BEGIN " + type + ")");
      } else if (type.endsWith("PRIVATE KEY")) {
        throw unusable(setting, file, "not a PKCS#8 key (BEGIN " + type + ")");
      }
    }
    if (key == null) {
      throw new IllegalArgumentException(
          setting
              + ": the key "
              + file
              + " holds no PEM private key (BEGIN PRIVATE KEY)"
              + otherBlocks(blocks));
    }
    byte[] der = der(setting, file, key);
    try {
      return KeyFactory.getInstance(family).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      for (String other : FAMILIES) {
        if (!other.equals(family) && parses(other, der)) {
          throw new IllegalArgumentException(
              setting
                  + ": the key "
                  + file
                  + " is an "
                  + other
                  + " key but the certificate's public key is "
                  + certificateKeyAlgorithm
                  + ": the key does not belong to the certificate");
        }
      }
      throw new IllegalArgumentException(
          setting
              + ": the key "
              + file
              + " is not a valid PKCS#8 "
              + family
              + " private key: "
              + e.getMessage());
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** The KeyFactory (and key) family of a public key algorithm, or null if unsupported. */
  static String family(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "RSA" -> "RSA";
      case "EC" -> "EC";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      default -> null;
    };
  }

  private static boolean parses(String family, byte[] der) {
    try {
      KeyFactory.getInstance(family).generatePrivate(new PKCS8EncodedKeySpec(der));
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static IllegalArgumentException unusable(String setting, Path file, String what) {
    return new IllegalArgumentException(
        setting
            + ": the key "
            + file
            + " is "
            + what
            + "; the client reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY): convert it with"
            + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
  }

  /** What else the file holds, e.g. a key given where the certificate was expected. */
  private static String otherBlocks(List<Block> blocks) {
    Set<String> types = new LinkedHashSet<>();
    blocks.forEach(b -> types.add("BEGIN " + b.type()));
    return types.isEmpty() ? "" : ", only " + String.join(", ", types);
  }

  private static byte[] der(String setting, Path file, Block b) {
    try {
      return Base64.getMimeDecoder().decode(b.body());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          setting + ": " + file + " holds a PEM block (BEGIN " + b.type() + ") that is not base64");
    }
  }

  private static List<Block> blocks(String setting, Path file) {
    String text;
    try {
      // Latin-1 maps every byte: a binary (DER) file is read, then found to hold no PEM block
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(setting + ": " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(setting + ": cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException(setting + ": cannot read " + file + ": " + e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      blocks.add(new Block(m.group(1), m.group(2)));
    }
    return blocks;
  }
}
