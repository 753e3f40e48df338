package dev.roster.node.config;

/** A setting is missing, malformed or inconsistent; the message names it. */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
