package dev.roster.node.http;

/** A request the API refuses, with the code and a message naming the offending parameter. */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Code code;

  public ApiException(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public static ApiException badParam(String name, String problem) {
    return new ApiException(Code.BAD_REQUEST, "param '" + name + "' " + problem);
  }

  public Code code() {
    return code;
  }

  public Reply toReply() {
    return Reply.of(code, getMessage());
  }
}
