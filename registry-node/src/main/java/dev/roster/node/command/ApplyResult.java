package dev.roster.node.command;

/**
 * What applying a command did: OK with a value (the stored instance, the evicted ones...), or a
 * business rejection such as NotFound. A rejection is a result, not an exception: it is the same
 * on every replica.
 */
public record ApplyResult(Code code, Object value) {
  public enum Code {
    OK,
    NOT_FOUND
  }

  public static ApplyResult ok(Object value) {
    return new ApplyResult(Code.OK, value);
  }

  public static ApplyResult notFound() {
    return new ApplyResult(Code.NOT_FOUND, null);
  }

  public boolean isOk() {
    return code == Code.OK;
  }
}
