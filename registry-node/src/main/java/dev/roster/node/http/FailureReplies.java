package dev.roster.node.http;

import static dev.roster.node.util.Concurrency.unwrap;

import dev.roster.node.raft.MembershipException;
import dev.roster.node.raft.NotLeaderException;
import dev.roster.node.raft.UnavailableException;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one table from a failure to the reply the caller gets. */
final class FailureReplies {
  private static final Logger log = LoggerFactory.getLogger(FailureReplies.class);

  private FailureReplies() {}

  /**
   * The reply for {@code failure}, a {@link java.util.concurrent.CompletionException} unwrapped.
   */
  static Reply of(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiException api) {
      return api.toReply();
    }
    if (cause instanceof CancellationException) {
      return Reply.of(Code.UNAVAILABLE, "request cancelled");
    }
    if (cause instanceof MembershipException) {
      return Reply.of(Code.BAD_REQUEST, cause.getMessage());
    }
    if (cause instanceof UnavailableException) {
      return Reply.of(Code.UNAVAILABLE, cause.getMessage());
    }
    if (cause instanceof NotLeaderException) {
      return Reply.of(Code.UNAVAILABLE, "leader unknown or changing: " + cause.getMessage());
    }
    log.error("internal error", cause);
    return Reply.of(Code.INTERNAL, "internal error: " + cause);
  }
}
