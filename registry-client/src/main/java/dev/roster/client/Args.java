package dev.roster.client;

/**
 * Argument checks with the client's one convention: a bad argument, null included, is an {@link
 * IllegalArgumentException} whose message starts with the argument's name. A bare {@code
 * NullPointerException} would be the one bad argument that does not say which it was.
 */
final class Args {
  private Args() {}

  static <T> T notNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + ": must not be null");
    }
    return value;
  }

  static String text(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + ": must not be empty");
    }
    return value;
  }
}
