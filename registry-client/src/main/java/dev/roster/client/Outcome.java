package dev.roster.client;

import java.net.URI;

/**
 * What one exchange with one node came to, typed so that the retry policy decides on it without
 * knowing HTTP: the {@link Kind} says which of the other fields are set.
 *
 * @param reply the final answer, for {@link Kind#ANSWER}
 * @param leader the node the redirect names, for {@link Kind#REDIRECT}; null if it named none
 * @param code the envelope's code, for {@link Kind#REFUSED} and {@link Kind#UNEXPECTED}
 * @param problem what went wrong, for every kind but {@link Kind#ANSWER}
 * @param cause the exception behind an {@link Kind#UNAVAILABLE} outcome, or null
 */
record Outcome(Kind kind, Reply reply, URI leader, int code, String problem, Throwable cause) {

  /** The kinds of outcome; the policy handles each in one place. */
  enum Kind {
    /** The node answered for good: code 0, -304 or -404. */
    ANSWER,
    /** Not the leader (-307, or a 307/308 status): the leader to try instead, if known. */
    REDIRECT,
    /** No answer this time (refused, timed out, -503, 5xx, a non-registry reply): try another. */
    UNAVAILABLE,
    /** The registry refused the request itself (-4xx): retrying cannot help. */
    REFUSED,
    /** An answer the contract does not define. */
    UNEXPECTED,
    /** The client closed before or while the exchange ran. */
    CLOSED
  }

  static Outcome answer(Reply reply) {
    return new Outcome(Kind.ANSWER, reply, null, reply.code(), null, null);
  }

  static Outcome redirect(URI leader) {
    return new Outcome(Kind.REDIRECT, null, leader, 0, "redirect without a leader address", null);
  }

  static Outcome unavailable(String problem, Throwable cause) {
    return new Outcome(Kind.UNAVAILABLE, null, null, 0, problem, cause);
  }

  static Outcome refused(int code, String message) {
    return new Outcome(Kind.REFUSED, null, null, code, message, null);
  }

  static Outcome unexpected(int code, String description) {
    return new Outcome(Kind.UNEXPECTED, null, null, code, description, null);
  }

  static Outcome closed() {
    return new Outcome(Kind.CLOSED, null, null, 0, "the client is closed", null);
  }
}
