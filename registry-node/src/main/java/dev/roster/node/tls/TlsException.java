package dev.roster.node.tls;

/** A TLS file or setting that cannot be used; the message names the setting and the file. */
public final class TlsException extends RuntimeException {
  public TlsException(String message) {
    super(message);
  }
}
