package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parameter validation of the registry handlers, without a node: every request here is refused
 * before any Raft call, so the handlers get no {@code RaftRegistry} at all.
 */
class RegistryHandlersTest {
  private final RegistryWrites writes = new RegistryWrites(null, null, Api.json());
  private final RegistryReads reads = new RegistryReads(null, new ReadGate(null, 1000), Api.json());
  private final RegistryPolls polls =
      new RegistryPolls(null, new ReadGate(null, 1000), reads, null, 30_000);

  @Test
  void registerWithoutAppidNamesAppid() {
    assertRefused(writes::register, register().without("appid"), "param 'appid' is required");
  }

  @Test
  void registerWithAnUnknownStatusNamesStatus() {
    assertRefused(
        writes::register,
        register().with("status", "3"),
        "param 'status' must be 1 (up) or 2 (waiting), got '3'");
  }

  @Test
  void registerWithTooManyAddrsNamesAddrs() {
    assertRefused(
        writes::register,
        register().with("addrs", Collections.nCopies(65, "http://10.0.0.1:80")),
        "param 'addrs' has more than 64 values");
  }

  @Test
  void registerWithATooLongVersionNamesVersion() {
    assertRefused(
        writes::register,
        register().with("version", "v".repeat(4097)),
        "param 'version' is longer than 4096 characters");
  }

  @Test
  void registerWithMetadataThatIsNotAnObjectNamesMetadata() {
    assertRefused(
        writes::register,
        register().with("metadata", "[1,2]"),
        "param 'metadata' must be a JSON object of string values");
  }

  @Test
  void registerWithASpaceInTheHostnameNamesHostname() {
    assertRefused(
        writes::register,
        register().with("hostname", "host 1"),
        "param 'hostname' must not contain spaces or control characters");
  }

  @Test
  void renewWithoutEnvNamesEnv() {
    assertRefused(writes::renew, instance().without("env"), "param 'env' is required");
  }

  @Test
  void cancelWithoutHostnameNamesHostname() {
    assertRefused(writes::cancel, instance().without("hostname"), "param 'hostname' is required");
  }

  @Test
  void setThatChangesNothingNamesStatus() {
    assertRefused(
        writes::set,
        instance(),
        "param 'status' or 'metadata' is required: a set must change something");
  }

  @Test
  void setListingAHostnameTwiceNamesHostname() {
    assertRefused(
        writes::set,
        instance().with("hostname", List.of("h1", "h1")).with("status", List.of("1", "1")),
        "param 'hostname' lists the same hostname twice");
  }

  @Test
  void setWithFewerStatusesThanHostnamesNamesStatus() {
    assertRefused(
        writes::set,
        instance().with("hostname", List.of("h1", "h2")).with("status", "1"),
        "param 'status' has 1 values for 2 hostnames (give one per hostname)");
  }

  @Test
  void fetchWithoutAppidNamesAppid() {
    assertRefused(reads::fetch, fetch().without("appid"), "param 'appid' is required");
  }

  @Test
  void fetchWithABadStatusMaskNamesStatus() {
    assertRefused(
        reads::fetch,
        fetch().with("status", "4"),
        "param 'status' must be a bitmask 1 (up), 2 (waiting) or 3 (both), got 4");
  }

  @Test
  void fetchWithANegativeTimestampNamesLatestTimestamp() {
    assertRefused(
        reads::fetch,
        fetch().with("latest_timestamp", "-1"),
        "param 'latest_timestamp' must be a non-negative integer, got '-1'");
  }

  @Test
  void fetchWithABadConsistentFlagNamesConsistent() {
    assertRefused(
        reads::fetch,
        fetch().with("consistent", "maybe"),
        "param 'consistent' must be true or false, got 'maybe'");
  }

  @Test
  void fetchsWithoutAppidNamesAppid() {
    assertRefused(
        reads::fetchs, fetch().without("appid"), "param 'appid' is required (one or more values)");
  }

  @Test
  void pollWithAHoldBeyondTheMaximumNamesHold() {
    assertRefused(
        polls::poll,
        fetch().with("latest_timestamp", "0").with("hold", "300001"),
        "param 'hold' must be at most 300000 ms, got 300001");
  }

  @Test
  void pollWithoutLatestTimestampNamesLatestTimestamp() {
    assertRefused(
        polls::poll, fetch(), "param 'latest_timestamp' is required (0 = send what you have)");
  }

  @Test
  void pollsWithATimestampMissingNamesLatestTimestamp() {
    assertRefused(
        polls::polls,
        fetch().with("appid", List.of("a1", "a2")).with("latest_timestamp", "0"),
        "param 'latest_timestamp' needs exactly one value per appid: got 1 for 2 appids");
  }

  @Test
  void pollsListingAnAppidTwiceNamesAppid() {
    assertRefused(
        polls::polls,
        fetch().with("appid", List.of("a1", "a1")).with("latest_timestamp", List.of("0", "0")),
        "param 'appid' lists the same appid twice");
  }

  private static void assertRefused(Handler handler, Query query, String message) {
    ApiRequest request =
        new ApiRequest("POST", "/discovery/test", "/discovery/test", query.params());
    try {
      handler.handle(request);
    } catch (RuntimeException e) {
      Reply reply = FailureReplies.of(e);
      assertThat(reply.code()).isEqualTo(Code.BAD_REQUEST);
      assertThat(reply.message()).isEqualTo(message);
      return;
    }
    fail("expected a refusal: " + message);
  }

  private static Query register() {
    return new Query()
        .with("zone", "z1")
        .with("env", "dev")
        .with("appid", "app")
        .with("hostname", "h1")
        .with("addrs", "http://10.0.0.1:80");
  }

  private static Query instance() {
    return new Query().with("env", "dev").with("appid", "app").with("hostname", "h1");
  }

  private static Query fetch() {
    return new Query().with("env", "dev").with("appid", "app");
  }

  /** The parameters of a request, as {@link Params#parse} would have found them. */
  private static final class Query {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    Query with(String name, String value) {
      return with(name, List.of(value));
    }

    Query with(String name, List<String> value) {
      values.put(name, new ArrayList<>(value));
      return this;
    }

    Query without(String name) {
      values.remove(name);
      return this;
    }

    Params params() {
      return new Params(values);
    }
  }
}
