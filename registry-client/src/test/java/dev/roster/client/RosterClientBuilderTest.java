package dev.roster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RosterClientBuilderTest {
  private static RosterClient.Builder valid() {
    return RosterClient.newBuilder().nodes("http://127.0.0.1:7171").env("prod");
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    Settings s = valid().settings();
    assertThat(s.zone()).isEqualTo("default");
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.deadline()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.maxRedirects()).isEqualTo(3);
    assertThat(s.backoffMin()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.backoffMax()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.renewInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.pollHold()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.nodeRefreshInterval()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void builderIsTheSameAsNewBuilder() {
    Settings viaAlias =
        RosterClient.builder().nodes("http://127.0.0.1:7171").env("prod").settings();
    assertThat(viaAlias).isEqualTo(valid().settings());
  }

  @Test
  void nodeUrlsAreNormalisedAndDeduplicated() {
    Settings s = valid().nodes("http://a:7171/", "HTTP://a:7171", "https://b").settings();
    assertThat(s.nodes())
        .extracting(Object::toString)
        .containsExactly("http://a:7171", "https://b");
  }

  static List<Arguments> invalidSettings() {
    return List.of(
        bad("nodes", b -> b.nodes()),
        bad("nodes", b -> b.nodes("127.0.0.1:7171")),
        bad("nodes", b -> b.nodes("ftp://a:21")),
        bad("nodes", b -> b.nodes("http://a:7171/discovery")),
        bad("nodes", b -> b.nodes("http://a:7171?x=1")),
        bad("nodes", b -> b.nodes("http://a b")),
        bad("nodes", b -> b.nodes(Arrays.asList("http://a:1", null))),
        bad("env", b -> b.env(null)),
        bad("env", b -> b.env(" ")),
        bad("env", b -> b.env("pro d")),
        bad("zone", b -> b.zone("")),
        bad("connectTimeout", b -> b.connectTimeout(Duration.ZERO)),
        bad("requestTimeout", b -> b.requestTimeout(Duration.ofMillis(-1))),
        bad("requestTimeout", b -> b.requestTimeout(null)),
        bad("deadline", b -> b.deadline(Duration.ZERO)),
        bad(
            "deadline",
            b -> b.requestTimeout(Duration.ofSeconds(5)).deadline(Duration.ofSeconds(1))),
        bad("maxRedirects", b -> b.maxRedirects(0)),
        bad("maxRedirects", b -> b.maxRedirects(11)),
        bad("backoffMin", b -> b.backoffMin(Duration.ZERO)),
        bad(
            "backoffMax",
            b -> b.backoffMin(Duration.ofSeconds(3)).backoffMax(Duration.ofSeconds(1))),
        bad("renewInterval", b -> b.renewInterval(Duration.ofNanos(10))),
        bad("pollHold", b -> b.pollHold(Duration.ZERO)),
        bad("pollHold", b -> b.pollHold(Duration.ofMinutes(6))),
        bad("nodeRefreshInterval", b -> b.nodeRefreshInterval(Duration.ZERO)));
  }

  private static Arguments bad(String setting, UnaryOperator<RosterClient.Builder> change) {
    return Arguments.of(setting, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void buildRejectsAnInvalidSettingByName(
      String setting, UnaryOperator<RosterClient.Builder> change) {
    assertThatThrownBy(() -> change.apply(valid()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(setting + ":");
  }

  static List<Arguments> nullArguments() {
    Instance.Builder i = Instance.builder("a", "h").addrs("http://x");
    return List.of(
        nulled("metadata value", () -> i.metadata("k", null)),
        nulled("metadata key", () -> i.metadata(null, "v")),
        nulled("metadata", () -> i.metadata(null)),
        nulled("status", () -> i.status(null)),
        nulled("version", () -> i.version(null)),
        nulled("region", () -> i.region(null)),
        nulled("addrs", () -> i.addrs((String[]) null)),
        nulled("status", () -> Query.app("a").status(null)),
        nulled("nodes", () -> RosterClient.newBuilder().nodes((String[]) null)));
  }

  private static Arguments nulled(String name, Runnable call) {
    return Arguments.of(name, call);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullArguments")
  void aNullArgumentIsAnIllegalArgumentNamingIt(String name, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(name);
  }

  @Test
  void aNullArgumentToTheClientOrARegistrationIsAnIllegalArgumentNamingIt() {
    try (StubNode node = StubNode.start().actingAsLeader();
        RosterClient client = Clients.fast(node.url()).build();
        Registration r = client.register(Clients.instance("a", "h"))) {
      assertThatThrownBy(() -> client.watch("a", null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("listener: must not be null");
      assertThatThrownBy(() -> client.registerAsync(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("instance:");
      assertThatThrownBy(() -> client.fetchAsync(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("query:");
      assertThatThrownBy(() -> r.setStatus(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("status: must not be null");
      assertThat(node.count("/discovery/set")).isZero();
    }
  }

  @Test
  void ioThreadsIsValidated() {
    assertThat(valid().settings().ioThreads()).isEqualTo(4);
    assertThatThrownBy(() -> valid().ioThreads(0).build())
        .hasMessageStartingWith("ioThreads: must be between 1 and 64");
    assertThatThrownBy(() -> valid().ioThreads(65).build()).hasMessageStartingWith("ioThreads:");
  }

  @Test
  void instanceBuilderRequiresAppidHostnameAndAnAddress() {
    assertThatThrownBy(() -> Instance.builder("", "h").addrs("http://x").build())
        .hasMessageStartingWith("appid:");
    assertThatThrownBy(() -> Instance.builder("a", null).addrs("http://x").build())
        .hasMessageStartingWith("hostname:");
    assertThatThrownBy(() -> Instance.builder("a", "h").build()).hasMessageStartingWith("addrs:");
    Instance i = Instance.builder("a", "h").addrs("http://x").metadata("k", "v").build();
    assertThat(i.status()).isEqualTo(Status.UP);
    assertThat(i.zone()).isNull();
    assertThat(i.metadata()).containsEntry("k", "v");
  }
}
