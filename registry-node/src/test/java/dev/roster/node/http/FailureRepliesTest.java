package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.raft.MembershipException;
import dev.roster.node.raft.NotLeaderException;
import dev.roster.node.raft.UnavailableException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FailureRepliesTest {
  @Test
  void apiExceptionKeepsItsCodeAndMessage() {
    Reply r = FailureReplies.of(ApiException.badParam("appid", "is required"));
    assertThat(r.code()).isEqualTo(Code.BAD_REQUEST);
    assertThat(r.message()).isEqualTo("param 'appid' is required");
  }

  @Test
  void methodNotAllowedCarriesItsAllowHeader() {
    Reply r = FailureReplies.of(new Router.MethodNotAllowed("GET", "/discovery/renew", "POST"));
    assertThat(r.code()).isEqualTo(Code.METHOD_NOT_ALLOWED);
    assertThat(r.message()).isEqualTo("method GET not allowed on /discovery/renew (use POST)");
    assertThat(r.headers()).containsEntry("Allow", "POST");
  }

  @Test
  void cancellationIsUnavailable() {
    Reply r = FailureReplies.of(new CancellationException());
    assertThat(r.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(r.message()).isEqualTo("request cancelled");
  }

  @Test
  void membershipRefusalIsBadRequest() {
    Reply r = FailureReplies.of(new MembershipException("a change is already in progress"));
    assertThat(r.code()).isEqualTo(Code.BAD_REQUEST);
    assertThat(r.message()).isEqualTo("a change is already in progress");
  }

  @Test
  void unavailableKeepsItsMessage() {
    Reply r = FailureReplies.of(new UnavailableException("no leader elected"));
    assertThat(r.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(r.message()).isEqualTo("no leader elected");
  }

  @Test
  void notLeaderIsUnavailableWhileLeadershipChanges() {
    Reply r = FailureReplies.of(new NotLeaderException(null, "stepped down"));
    assertThat(r.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(r.message()).isEqualTo("leader unknown or changing: stepped down");
  }

  @Test
  void unknownFailureIsInternalError() {
    Reply r = FailureReplies.of(new IllegalStateException("boom"));
    assertThat(r.code()).isEqualTo(Code.INTERNAL);
    assertThat(r.message()).isEqualTo("internal error: java.lang.IllegalStateException: boom");
  }

  @Test
  void completionExceptionIsUnwrapped() {
    Reply r =
        FailureReplies.of(
            new CompletionException(new UnavailableException("node is shutting down")));
    assertThat(r.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(r.message()).isEqualTo("node is shutting down");
  }

  @Test
  void wrappedApiExceptionKeepsItsCode() {
    Reply r = FailureReplies.of(new CompletionException(ApiException.badParam("hold", "too long")));
    assertThat(r.code()).isEqualTo(Code.BAD_REQUEST);
    assertThat(r.message()).isEqualTo("param 'hold' too long");
  }
}
