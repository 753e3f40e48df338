package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which requests need which token, and how a token is read from a header. */
class AccessControlTest {
  @TempDir Path dir;

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("10.1.2.3", 40000);

  @ParameterizedTest(name = "{0} {1} is {2}")
  @CsvSource({
    "POST, /cluster/peers/add, ADMIN",
    "POST, /cluster/peers/reset, ADMIN",
    "POST, /cluster/transfer-leader, ADMIN",
    "POST, /cluster/snapshot, ADMIN",
    "GET, /cluster/status, READ",
    "GET, /cluster/members, READ",
    "POST, /discovery/register, WRITE",
    "POST, /discovery/renew, WRITE",
    "POST, /discovery/cancel, WRITE",
    "POST, /discovery/set, WRITE",
    "GET, /discovery/fetch, READ",
    "POST, /eureka/apps/APP, WRITE",
    "PUT, /eureka/prod/apps/APP/id, WRITE",
    "DELETE, /eureka/apps/APP/id/status, WRITE",
    "GET, /eureka/apps, READ",
    "GET, /metrics, READ",
    "GET, /health, OPEN",
    "GET, /ready, OPEN",
    "GET, /, OPEN",
    "GET, /ui/console.js, OPEN",
  })
  void everyRouteHasAKind(String method, String path, AccessControl.Kind kind) {
    assertThat(AccessControl.kindOf(method, path)).isEqualTo(kind);
  }

  @Test
  void aBearerTokenAndTheBasicPasswordAreTokens() {
    String basic =
        Base64.getEncoder().encodeToString("eureka:s3cret".getBytes(StandardCharsets.UTF_8));

    assertThat(AccessControl.tokenOf("Bearer s3cret")).isEqualTo("s3cret");
    assertThat(AccessControl.tokenOf("bearer   s3cret ")).isEqualTo("s3cret");
    assertThat(AccessControl.tokenOf("Basic " + basic)).isEqualTo("s3cret");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Bearer",
        "Bearer ",
        "s3cret",
        "Token s3cret",
        "Basic !!!",
        "Basic Zm9v",
        "Basic Zm9vOg==",
        "Digest x=y"
      })
  void malformedHeadersCarryNoToken(String header) {
    assertThat(AccessControl.tokenOf(header)).isNull();
  }

  @Test
  void withoutAnAdminTokenFileAdminRequestsAreTakenFromLoopbackOnly() {
    AccessControl open = AccessControl.open();
    assertThat(open.check(AccessControl.Kind.ADMIN, null, LOOPBACK, false).refusal()).isNull();
    Reply remote = open.check(AccessControl.Kind.ADMIN, "Bearer x", REMOTE, false).refusal();
    assertThat(remote.code()).isEqualTo(Code.FORBIDDEN);
    assertThat(remote.message()).contains("loopback").doesNotContain("Bearer x");
    assertThat(open.check(AccessControl.Kind.WRITE, null, REMOTE, false).refusal()).isNull();
    assertThat(open.check(AccessControl.Kind.READ, null, REMOTE, false).refusal()).isNull();
  }

  private AccessControl withFiles() throws IOException {
    Path admin = Files.writeString(dir.resolve("admin"), "# admins\nadmin-1\n\nadmin-2\n");
    Path write = Files.writeString(dir.resolve("write"), "team-a prod,uat\nall-envs\n");
    return AccessControl.fromFiles(admin, write, null, "prod");
  }

  @Test
  void anAdminTokenIsNeededForAdminRequestsEvenFromLoopback() throws IOException {
    AccessControl a = withFiles();
    assertThat(a.check(AccessControl.Kind.ADMIN, null, LOOPBACK, false).refusal().code())
        .isEqualTo(Code.UNAUTHORIZED);
    assertThat(
            a.check(AccessControl.Kind.ADMIN, "Bearer all-envs", LOOPBACK, false).refusal().code())
        .as("a write token is no admin token")
        .isEqualTo(Code.UNAUTHORIZED);
    assertThat(a.check(AccessControl.Kind.ADMIN, "Bearer admin-2", REMOTE, false).refusal())
        .isNull();
    assertThat(a.nodeToken()).hasValue("admin-1");
  }

  @Test
  void aScopedWriteTokenWritesItsEnvsOnly() throws IOException {
    AccessControl a = withFiles();

    AccessControl.Decision teamA =
        a.check(AccessControl.Kind.WRITE, "Bearer team-a", REMOTE, false);
    assertThat(teamA.isRefused()).isFalse();
    assertThat(teamA.envs()).containsExactlyInAnyOrder("prod", "uat");
    assertThat(a.scopeRefusal(teamA, () -> "uat", REMOTE, false)).isNull();
    Reply other = a.scopeRefusal(teamA, () -> "infra", REMOTE, false);
    assertThat(other.code()).isEqualTo(Code.FORBIDDEN);
    assertThat(other.message()).contains("infra");
    assertThat(a.scopeRefusal(teamA, () -> null, REMOTE, false).message()).contains("(none given)");

    AccessControl.Decision allEnvs =
        a.check(AccessControl.Kind.WRITE, "Bearer all-envs", REMOTE, false);
    assertThat(allEnvs.isRefused()).isFalse();
    assertThat(a.scopeRefusal(allEnvs, () -> "infra", REMOTE, false)).isNull();
    AccessControl.Decision admin =
        a.check(AccessControl.Kind.WRITE, "Bearer admin-1", REMOTE, false);
    assertThat(admin.isRefused()).isFalse();
    assertThat(a.scopeRefusal(admin, () -> "anything", REMOTE, false)).isNull();
  }

  @Test
  void aRefusalOnTheEurekaSideIsAPlainHttp401() throws IOException {
    AccessControl a = withFiles();
    Reply r = a.check(AccessControl.Kind.WRITE, "Bearer nope", REMOTE, true).refusal();

    assertThat(r.data()).isInstanceOf(RawBody.class);
    assertThat(((RawBody) r.data()).status()).isEqualTo(401);
    assertThat(r.headers()).containsKey("WWW-Authenticate");
    assertThat(r.message()).doesNotContain("nope");
  }
}
