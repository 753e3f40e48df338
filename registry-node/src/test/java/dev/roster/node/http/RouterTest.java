package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Which handler a path reaches: exact paths, templates by specificity, methods, trailing slash. */
class RouterTest {
  private static Handler named(String name) {
    return req -> CompletableFuture.completedFuture(Reply.ok(name));
  }

  private static String handled(Router router, String method, String path) {
    return (String) router.route(method, path).handler().handle(null).join().data();
  }

  private final Router router =
      new Router()
          .rawBodies("/eureka/")
          .get("/discovery/fetch", named("fetch"))
          // the writes' template first, as the Eureka routes are added: specificity, not order,
          // must send GET .../apps/delta to the delta
          .post("/eureka/{env}/apps/{app}", named("register"))
          .get("/eureka/{env}/apps/{app}", named("application"))
          .get("/eureka/{env}/apps/delta", named("delta"))
          .get("/eureka/apps", named("full"))
          .get("/eureka/apps/{app}/{id}", named("instance"))
          .get("/eureka/{env}/apps/{app}/{id}", named("instance in env"));

  @Test
  void aLiteralSegmentBeatsANameWhateverTheOrderTheyWereAdded() {
    assertThat(handled(router, "GET", "/eureka/dev/apps/delta")).isEqualTo("delta");
    assertThat(handled(router, "GET", "/eureka/dev/apps/SVC")).isEqualTo("application");
    assertThat(handled(router, "POST", "/eureka/dev/apps/delta")).isEqualTo("register");
    assertThat(router.endpointOf("/eureka/dev/apps/delta?x=1"))
        .isEqualTo("/eureka/{env}/apps/delta");
  }

  @Test
  void theDefaultEnvsLiteralAppsBeatsAnEnvNamed() {
    assertThat(handled(router, "GET", "/eureka/apps/SVC/i1")).isEqualTo("instance");
    assertThat(router.route("GET", "/eureka/apps/SVC/i1").pathParams())
        .isEqualTo(Map.of("app", "SVC", "id", "i1"));
    assertThat(router.route("GET", "/eureka/dev/apps/SVC/i1").pathParams())
        .isEqualTo(Map.of("env", "dev", "app", "SVC", "id", "i1"));
  }

  @Test
  void aTrailingSlashIsIgnoredUnderTheRawPrefixOnly() {
    assertThat(handled(router, "GET", "/eureka/apps/")).isEqualTo("full");
    assertThat(handled(router, "GET", "/eureka/dev/apps/SVC/")).isEqualTo("application");
    assertThat(handled(router, "GET", "/discovery/fetch")).isEqualTo("fetch");
    assertThatThrownBy(() -> router.route("GET", "/discovery/fetch/"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("unknown path");
  }

  @Test
  void aWrongMethodIs405NamingWhatIsAllowedAndAnUnknownPath404() {
    assertThatThrownBy(() -> router.route("DELETE", "/eureka/dev/apps/delta"))
        .isInstanceOfSatisfying(
            Router.MethodNotAllowed.class, e -> assertThat(e.allow).isEqualTo("GET, POST"));
    assertThatThrownBy(() -> router.route("GET", "/eureka/dev/nothing/here"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("unknown path");
  }
}
