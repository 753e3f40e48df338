package dev.roster.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.client.Outcome.Kind;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** How one node's HTTP status, envelope and Location header become a typed outcome. */
class HttpExchangeTest {
  private static final String LOCATION = "http://leader:7171/discovery/register";

  @Test
  void theFinalCodesAreAnswersWhateverTheHttpStatus() {
    for (int code : new int[] {Reply.OK, Reply.NOT_MODIFIED, Reply.NOT_FOUND}) {
      for (int status : new int[] {200, 304, 404}) {
        Outcome o = HttpExchange.outcome(status, reply(code, "m"), null);
        assertThat(o.kind()).as("code %d, HTTP %d", code, status).isEqualTo(Kind.ANSWER);
        assertThat(o.reply().code()).isEqualTo(code);
      }
    }
  }

  @Test
  void notLeaderNamesTheLeaderFromTheEnvelopeBeforeTheLocationHeader() {
    Reply r = reply(Reply.NOT_LEADER, "not the leader");
    ((ObjectNode) r.data()).put("leader", "http://other:7172/x");

    Outcome o = HttpExchange.outcome(200, r, LOCATION);

    assertThat(o.kind()).isEqualTo(Kind.REDIRECT);
    assertThat(o.leader()).isEqualTo(URI.create("http://other:7172"));
  }

  @Test
  void notLeaderWithoutALeaderInTheEnvelopeFallsBackToTheLocationHeader() {
    Outcome o = HttpExchange.outcome(307, reply(Reply.NOT_LEADER, ""), LOCATION);

    assertThat(o.kind()).isEqualTo(Kind.REDIRECT);
    assertThat(o.leader()).isEqualTo(URI.create("http://leader:7171"));
  }

  @Test
  void aRedirectStatusWithoutAnEnvelopeIsARedirectToItsLocation() {
    assertThat(HttpExchange.outcome(308, null, LOCATION).leader())
        .isEqualTo(URI.create("http://leader:7171"));
    Outcome none = HttpExchange.outcome(307, null, null);
    assertThat(none.kind()).isEqualTo(Kind.REDIRECT);
    assertThat(none.leader()).isNull();
    assertThat(HttpExchange.outcome(307, null, "/relative").leader()).isNull();
  }

  @Test
  void aRedirectStatusWithAnUnknownNonErrorCodeIsARedirect() {
    assertThat(HttpExchange.outcome(307, reply(-302, ""), LOCATION).kind())
        .isEqualTo(Kind.REDIRECT);
  }

  @Test
  void serverSideCodesAndBareStatusesAreUnavailable() {
    Outcome noLeader = HttpExchange.outcome(200, reply(Reply.UNAVAILABLE, "no leader"), null);
    assertThat(noLeader.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(noLeader.problem()).isEqualTo("-503 no leader");

    Outcome bare = HttpExchange.outcome(502, null, null);
    assertThat(bare.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(bare.problem()).isEqualTo("HTTP 502 without a registry answer");
  }

  @Test
  void clientSideCodesAreRefusedWithTheRegistrysMessage() {
    Outcome o = HttpExchange.outcome(200, reply(-400, "parameter 'hostname' is required"), null);

    assertThat(o.kind()).isEqualTo(Kind.REFUSED);
    assertThat(o.code()).isEqualTo(-400);
    assertThat(o.problem()).isEqualTo("parameter 'hostname' is required");
  }

  @Test
  void anyOtherCodeIsUnexpected() {
    Outcome o = HttpExchange.outcome(200, reply(7, "what"), null);

    assertThat(o.kind()).isEqualTo(Kind.UNEXPECTED);
    assertThat(o.code()).isEqualTo(7);
    assertThat(o.problem()).isEqualTo("HTTP 200, code 7 what");
  }

  private static Reply reply(int code, String message) {
    return new Reply(code, message, JsonNodeFactory.instance.objectNode());
  }
}
