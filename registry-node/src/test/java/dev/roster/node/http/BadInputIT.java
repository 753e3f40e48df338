package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed request gets a 4xx naming the offending parameter, never a 500, and changes
 * nothing: the instance count and a witness application are compared before and after.
 */
class BadInputIT extends SingleNodeHarness {
  /** The appid every bad register names (when it names one): it must never come to exist. */
  private static final String BAD_APP = "bad-input-app";

  private static final String WITNESS = "witness-app";

  private static final String[] VALID_REGISTER = {
    "zone", "z1", "env", ENV, "appid", BAD_APP, "hostname", "h1", "addrs", "http://h1:80"
  };

  @BeforeAll
  void registerWitness() {
    register("z1", WITNESS, "w1", 1);
    register("z2", WITNESS, "w2", 2);
  }

  /** Runs a request that must be refused, and checks it left the registry as it was. */
  private Http.Response refusedWithoutChange(Supplier<Http.Response> request) {
    long count = instanceCount();
    JsonNode witness = everything(WITNESS);

    Http.Response r = request.get();

    // discovery's wire: HTTP 200, the code tells (a 413 is the one refusal HTTP itself names)
    assertThat(r.code()).as("a -4xx refusal, never a -5xx: %s", r.body()).isBetween(-499, -400);
    assertThat(r.status())
        .as("HTTP status of %s", r.body())
        .isEqualTo(r.code() == -413 ? 413 : 200);
    assertThat(instanceCount()).isEqualTo(count);
    assertThat(everything(WITNESS)).isEqualTo(witness);
    assertNotFound(fetch(BAD_APP));
    return r;
  }

  /** The valid register form with {@code name} replaced by {@code values} (none: left out). */
  private static String registerWith(String name, String... values) {
    List<String> kv = new ArrayList<>();
    boolean replaced = false;
    for (int i = 0; i < VALID_REGISTER.length; i += 2) {
      if (VALID_REGISTER[i].equals(name)) {
        replaced = true;
        for (String v : values) {
          kv.add(name);
          kv.add(v);
        }
      } else {
        kv.add(VALID_REGISTER[i]);
        kv.add(VALID_REGISTER[i + 1]);
      }
    }
    if (!replaced) {
      for (String v : values) {
        kv.add(name);
        kv.add(v);
      }
    }
    return form(kv.toArray(String[]::new));
  }

  @Test
  void theValidRegisterFormIsAccepted() {
    // the bad cases below differ from this form in one parameter only
    String appid = newAppid("control");
    Http.Response r = post("/discovery/register", registerWith("appid", appid));
    assertOk(r);
    assertOk(post("/discovery/cancel", form("env", ENV, "appid", appid, "hostname", "h1")));
  }

  static Stream<Arguments> badRegisterForms() {
    List<Arguments> cases = new ArrayList<>();
    for (String required : List.of("zone", "env", "appid", "hostname", "addrs")) {
      cases.add(Arguments.of("missing " + required, registerWith(required), required));
      cases.add(Arguments.of("empty " + required, registerWith(required, ""), required));
      cases.add(Arguments.of("blank " + required, registerWith(required, "  "), required));
    }
    cases.addAll(
        Arrays.asList(
            Arguments.of("status 3", registerWith("status", "3"), "status"),
            Arguments.of("status 0", registerWith("status", "0"), "status"),
            Arguments.of("status abc", registerWith("status", "abc"), "status"),
            Arguments.of("status given twice", registerWith("status", "1", "2"), "status"),
            Arguments.of("hostname with a space", registerWith("hostname", "my host"), "hostname"),
            Arguments.of("appid with a tab", registerWith("appid", "bad\tapp"), "appid"),
            Arguments.of("zone with a newline", registerWith("zone", "z\n1"), "zone"),
            Arguments.of("env with a space", registerWith("env", "te st"), "env"),
            Arguments.of(
                "hostname longer than 256", registerWith("hostname", "h".repeat(257)), "hostname"),
            Arguments.of("region with a space", registerWith("region", "cn east"), "region"),
            Arguments.of(
                "region with a control character", registerWith("region", "cn\u0001"), "region"),
            Arguments.of(
                "region longer than 256", registerWith("region", "r".repeat(257)), "region"),
            Arguments.of(
                "region given twice", registerWith("region", "cn-east", "cn-north"), "region"),
            Arguments.of("appid given twice", registerWith("appid", BAD_APP, "other"), "appid"),
            Arguments.of("hostname given twice", registerWith("hostname", "h1", "h2"), "hostname"),
            Arguments.of("one empty addr", registerWith("addrs", "http://h1:80", ""), "addrs"),
            Arguments.of("65 addrs", registerWith("addrs", manyAddrs(65)), "addrs"),
            Arguments.of(
                "version over 4096 chars", registerWith("version", "v".repeat(4097)), "version"),
            Arguments.of("metadata not JSON", registerWith("metadata", "not json"), "metadata"),
            Arguments.of("metadata an array", registerWith("metadata", "[\"a\"]"), "metadata"),
            Arguments.of("metadata a string", registerWith("metadata", "\"a\""), "metadata"),
            Arguments.of("metadata a number", registerWith("metadata", "42"), "metadata"),
            Arguments.of(
                "metadata with a nested object",
                registerWith("metadata", "{\"a\":{\"b\":\"c\"}}"),
                "metadata"),
            Arguments.of(
                "metadata with an array value",
                registerWith("metadata", "{\"a\":[1]}"),
                "metadata"),
            Arguments.of(
                "metadata with a null value", registerWith("metadata", "{\"a\":null}"), "metadata"),
            Arguments.of(
                "metadata given twice", registerWith("metadata", "{}", "{}"), "metadata")));
    return cases.stream();
  }

  private static String[] manyAddrs(int n) {
    String[] addrs = new String[n];
    for (int i = 0; i < n; i++) {
      addrs[i] = "http://h1:" + (1000 + i);
    }
    return addrs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRegisterForms")
  void registerFormWithABadParameterIsRefusedNamingIt(String scenario, String body, String param) {
    Http.Response r = refusedWithoutChange(() -> post("/discovery/register", body));

    assertBadParam(r, param);
  }

  /**
   * The same cases in a query string, except those too long for a request line (see ProtocolIT).
   */
  static Stream<Arguments> badRegisterQueries() {
    return badRegisterForms().filter(a -> ((String) a.get()[1]).length() < 4000);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRegisterQueries")
  void registerQueryStringWithABadParameterIsRefusedNamingIt(
      String scenario, String query, String param) {
    Http.Response r =
        refusedWithoutChange(() -> Http.postForm(url("/discovery/register?" + query), ""));

    assertBadParam(r, param);
  }

  static Stream<Arguments> badRegisterJson() {
    String valid =
        "\"zone\":\"z1\",\"env\":\""
            + ENV
            + "\",\"appid\":\""
            + BAD_APP
            + "\",\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"]";
    String noAppid =
        "\"zone\":\"z1\",\"env\":\"" + ENV + "\",\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"]";
    String noAddrs =
        "\"zone\":\"z1\",\"env\":\"" + ENV + "\",\"appid\":\"" + BAD_APP + "\",\"hostname\":\"h1\"";
    return Stream.of(
        Arguments.of("status 3", "{" + valid + ",\"status\":3}", "status"),
        Arguments.of("status abc", "{" + valid + ",\"status\":\"abc\"}", "status"),
        Arguments.of("status 1.5", "{" + valid + ",\"status\":1.5}", "status"),
        Arguments.of("metadata a JSON array", "{" + valid + ",\"metadata\":[\"a\"]}", "metadata"),
        Arguments.of("metadata a number", "{" + valid + ",\"metadata\":7}", "metadata"),
        Arguments.of(
            "metadata a string that is not an object",
            "{" + valid + ",\"metadata\":\"x\"}",
            "metadata"),
        Arguments.of(
            "metadata with a nested object",
            "{" + valid + ",\"metadata\":{\"a\":{\"b\":\"c\"}}}",
            "metadata"),
        Arguments.of("two metadata objects", "{" + valid + ",\"metadata\":[{},{}]}", "metadata"),
        Arguments.of("appid null", "{" + noAppid + ",\"appid\":null}", "appid"),
        Arguments.of("appid empty", "{" + noAppid + ",\"appid\":\"\"}", "appid"),
        Arguments.of(
            "appid a list of two",
            "{" + noAppid + ",\"appid\":[\"" + BAD_APP + "\",\"b\"]}",
            "appid"),
        Arguments.of("addrs an empty list", "{" + noAddrs + ",\"addrs\":[]}", "addrs"),
        Arguments.of(
            "appid a JSON object", "{" + noAppid + ",\"appid\":{\"name\":\"x\"}}", "appid"),
        Arguments.of("appid a nested list", "{" + noAppid + ",\"appid\":[[\"x\"]]}", "appid"),
        Arguments.of(
            "addrs holding an object",
            "{" + noAddrs + ",\"addrs\":[{\"url\":\"http://h1:80\"}]}",
            "addrs"),
        Arguments.of(
            "version a JSON object", "{" + valid + ",\"version\":{\"major\":1}}", "version"),
        Arguments.of(
            "appid twice as a duplicate key", "{" + valid + ",\"appid\":\"other\"}", "appid"),
        Arguments.of(
            "hostname with a space",
            "{\"zone\":\"z1\",\"env\":\""
                + ENV
                + "\",\"appid\":\""
                + BAD_APP
                + "\",\"hostname\":\"h 1\",\"addrs\":[\"http://h1:80\"]}",
            "hostname"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRegisterJson")
  void registerJsonWithABadParameterIsRefusedNamingIt(String scenario, String body, String param) {
    Http.Response r = refusedWithoutChange(() -> Http.postJson(url("/discovery/register"), body));

    assertBadParam(r, param);
  }

  @Test
  void registerWithInvalidJsonBodyIsBadRequest() {
    Http.Response r =
        refusedWithoutChange(
            () ->
                Http.postJson(
                    url("/discovery/register"),
                    "{\"zone\":\"z1\",\"env\":\"" + ENV + "\",\"appid\":\"" + BAD_APP + "\","));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.code()).isEqualTo(-400);
    assertThat(r.message()).contains("JSON");
  }

  @Test
  void registerWithJsonArrayBodyIsBadRequest() {
    Http.Response r =
        refusedWithoutChange(
            () ->
                Http.postJson(
                    url("/discovery/register"),
                    "[{\"zone\":\"z1\",\"env\":\""
                        + ENV
                        + "\",\"appid\":\""
                        + BAD_APP
                        + "\",\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"]}]"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.code()).isEqualTo(-400);
    assertThat(r.message()).contains("JSON object");
  }

  @Test
  void registerWithJsonScalarBodyIsBadRequest() {
    Http.Response r = refusedWithoutChange(() -> Http.postJson(url("/discovery/register"), "null"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.code()).isEqualTo(-400);
    assertThat(r.message()).contains("JSON object");
  }

  @Test
  void aParameterInBothQueryStringAndBodyCountsAsGivenTwice() {
    Http.Response r =
        refusedWithoutChange(
            () ->
                Http.postJson(
                    url("/discovery/register?appid=" + BAD_APP),
                    "{\"zone\":\"z1\",\"env\":\""
                        + ENV
                        + "\",\"appid\":\""
                        + BAD_APP
                        + "\",\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"]}"));

    assertBadParam(r, "appid");
  }

  static Stream<Arguments> badFetchQueries() {
    String app = "env=" + ENV + "&appid=" + WITNESS;
    return Stream.of(
        Arguments.of("latest_timestamp abc", app + "&latest_timestamp=abc", "latest_timestamp"),
        Arguments.of("latest_timestamp -1", app + "&latest_timestamp=-1", "latest_timestamp"),
        Arguments.of("latest_timestamp 1.5", app + "&latest_timestamp=1.5", "latest_timestamp"),
        Arguments.of(
            "latest_timestamp beyond long",
            app + "&latest_timestamp=99999999999999999999",
            "latest_timestamp"),
        Arguments.of("status mask 0", app + "&status=0", "status"),
        Arguments.of("status mask 4", app + "&status=4", "status"),
        Arguments.of("status mask -1", app + "&status=-1", "status"),
        Arguments.of("status mask abc", app + "&status=abc", "status"),
        Arguments.of("consistent maybe", app + "&consistent=maybe", "consistent"),
        Arguments.of("appid twice", app + "&appid=" + WITNESS, "appid"),
        Arguments.of("env twice", app + "&env=" + ENV, "env"),
        Arguments.of("missing appid", "env=" + ENV, "appid"),
        Arguments.of("empty appid", "env=" + ENV + "&appid=", "appid"),
        Arguments.of("missing env", "appid=" + WITNESS, "env"),
        Arguments.of("appid with a space", "env=" + ENV + "&appid=witness%20app", "appid"),
        Arguments.of("zone with a space", app + "&zone=z%201", "zone"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFetchQueries")
  void fetchWithABadParameterIsRefusedNamingIt(String scenario, String query, String param) {
    Http.Response r = refusedWithoutChange(() -> get("/discovery/fetch", query));

    assertBadParam(r, param);
  }

  static Stream<Arguments> badFetchsQueries() {
    String apps = "env=" + ENV + "&appid=" + WITNESS + "&appid=other";
    return Stream.of(
        Arguments.of("missing appid", "env=" + ENV, "appid"),
        Arguments.of("one empty appid", apps + "&appid=", "appid"),
        Arguments.of("missing env", "appid=" + WITNESS, "env"),
        Arguments.of("status mask 4", apps + "&status=4", "status"),
        Arguments.of("consistent maybe", apps + "&consistent=maybe", "consistent"),
        Arguments.of("zone twice", apps + "&zone=z1&zone=z2", "zone"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFetchsQueries")
  void fetchsWithABadParameterIsRefusedNamingIt(String scenario, String query, String param) {
    Http.Response r = refusedWithoutChange(() -> get("/discovery/fetchs", query));

    assertBadParam(r, param);
  }

  static Stream<Arguments> badRenewAndCancelForms() {
    List<Arguments> cases = new ArrayList<>();
    for (String path : List.of("/discovery/renew", "/discovery/cancel")) {
      cases.add(
          Arguments.of(path, "missing hostname", form("env", ENV, "appid", WITNESS), "hostname"));
      cases.add(Arguments.of(path, "missing env", form("appid", WITNESS, "hostname", "w1"), "env"));
      cases.add(Arguments.of(path, "missing appid", form("env", ENV, "hostname", "w1"), "appid"));
      cases.add(
          Arguments.of(
              path,
              "hostname with a space",
              form("env", ENV, "appid", WITNESS, "hostname", "w 1"),
              "hostname"));
      cases.add(
          Arguments.of(
              path,
              "zone with a space",
              form("zone", "z 1", "env", ENV, "appid", WITNESS, "hostname", "w1"),
              "zone"));
      cases.add(
          Arguments.of(
              path,
              "hostname twice",
              form("env", ENV, "appid", WITNESS, "hostname", "w1", "hostname", "w2"),
              "hostname"));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badRenewAndCancelForms")
  void renewOrCancelWithABadParameterIsRefusedNamingIt(
      String path, String scenario, String body, String param) {
    JsonNode witness = everything(WITNESS);

    Http.Response r = refusedWithoutChange(() -> post(path, body));

    assertBadParam(r, param);
    assertThat(everything(WITNESS)).as("not renewed, not cancelled").isEqualTo(witness);
  }

  @Test
  void setWithABadParameterChangesNothing() {
    Http.Response r =
        refusedWithoutChange(
            () ->
                post(
                    "/discovery/set",
                    form(
                        "env",
                        ENV,
                        "appid",
                        WITNESS,
                        "hostname",
                        "w1",
                        "hostname",
                        "w2",
                        "status",
                        "2",
                        "status",
                        "9")));

    assertBadParam(r, "status");
  }

  // ---- numbers and JSON bodies (issue 12): -400 asserted on the envelope code alone ----

  /**
   * Digits that Integer.parseInt takes but the contract does not: fullwidth and Arabic-Indic one.
   */
  private static final List<String> NOT_ASCII_ONE = List.of("\uFF11", "\u0661");

  /** ASCII digits with what a trim() or parseInt let through: signs and surrounding whitespace. */
  private static final List<String> NOT_PLAIN_ONE = List.of("+1", " 1", "1 ", "\t1");

  static Stream<Arguments> numbersThatAreNotAsciiDecimal() {
    String fetch = "env=" + ENV + "&appid=" + WITNESS;
    List<Arguments> cases = new ArrayList<>();
    List<String> ones = new ArrayList<>(NOT_ASCII_ONE);
    ones.addAll(NOT_PLAIN_ONE);
    for (String one : ones) {
      String q = enc(one);
      cases.addAll(
          List.of(
              Arguments.of(
                  "register status " + one,
                  "POST",
                  "/discovery/register",
                  registerWith("status", one),
                  "status"),
              Arguments.of(
                  "set status " + one,
                  "POST",
                  "/discovery/set",
                  form("env", ENV, "appid", WITNESS, "hostname", "w2", "status", one),
                  "status"),
              Arguments.of(
                  "fetch status " + one,
                  "GET",
                  "/discovery/fetch",
                  fetch + "&status=" + q,
                  "status"),
              Arguments.of(
                  "fetch latest_timestamp " + one,
                  "GET",
                  "/discovery/fetch",
                  fetch + "&latest_timestamp=" + q,
                  "latest_timestamp"),
              Arguments.of(
                  "fetch consistent " + one,
                  "GET",
                  "/discovery/fetch",
                  fetch + "&consistent=" + q,
                  "consistent"),
              Arguments.of(
                  "fetchs status " + one,
                  "GET",
                  "/discovery/fetchs",
                  fetch + "&status=" + q,
                  "status"),
              Arguments.of(
                  "poll latest_timestamp " + one,
                  "GET",
                  "/discovery/poll",
                  fetch + "&latest_timestamp=" + q,
                  "latest_timestamp"),
              Arguments.of(
                  "poll hold " + one,
                  "GET",
                  "/discovery/poll",
                  fetch + "&latest_timestamp=0&hold=" + q,
                  "hold"),
              Arguments.of(
                  "polls latest_timestamp " + one,
                  "GET",
                  "/discovery/polls",
                  fetch + "&appid=other&latest_timestamp=0&latest_timestamp=" + q,
                  "latest_timestamp"),
              Arguments.of(
                  "polls hold " + one,
                  "GET",
                  "/discovery/polls",
                  fetch + "&latest_timestamp=0&hold=" + q,
                  "hold")));
    }
    for (String one : NOT_ASCII_ONE) {
      cases.add(
          Arguments.of(
              "register status " + one + " in a JSON string",
              "JSON",
              "/discovery/register",
              "{\"zone\":\"z1\",\"env\":\""
                  + ENV
                  + "\",\"appid\":\""
                  + BAD_APP
                  + "\",\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"],\"status\":\""
                  + one
                  + "\"}",
              "status"));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numbersThatAreNotAsciiDecimal")
  void aNumberThatIsNotPlainAsciiDigitsIsRefusedNamingIt(
      String scenario, String how, String path, String params, String param) {
    Http.Response r =
        refusedByCodeWithoutChange(
            () ->
                switch (how) {
                  case "POST" -> post(path, params);
                  case "JSON" -> Http.postJson(url(path), params);
                  default -> get(path, params);
                });

    assertThat(r.message()).contains("'" + param + "'");
  }

  static Stream<Arguments> jsonFollowedByMoreContent() {
    String register =
        "{\"zone\":\"z1\",\"env\":\""
            + ENV
            + "\",\"appid\":\""
            + BAD_APP
            + "\",\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"]}";
    String set =
        "{\"env\":\""
            + ENV
            + "\",\"appid\":\""
            + WITNESS
            + "\",\"hostname\":[\"w2\"],\"status\":[1]}";
    String cancel = "{\"env\":\"" + ENV + "\",\"appid\":\"" + WITNESS + "\",\"hostname\":\"w1\"}";
    return Stream.of(
        Arguments.of(
            "register, a second object", "/discovery/register", register + "{\"appid\":\"other\"}"),
        Arguments.of("register, the same object twice", "/discovery/register", register + register),
        Arguments.of("register, words", "/discovery/register", register + " garbage"),
        Arguments.of("register, a stray bracket", "/discovery/register", register + "]"),
        Arguments.of(
            "register, a number after a newline", "/discovery/register", register + "\n42"),
        Arguments.of("set, a second object", "/discovery/set", set + " {}"),
        Arguments.of("cancel, a comma and an object", "/discovery/cancel", cancel + ",{}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jsonFollowedByMoreContent")
  void aJsonBodyWithContentAfterItsObjectIsRefused(String scenario, String path, String body) {
    Http.Response r = refusedByCodeWithoutChange(() -> Http.postJson(url(path), body));

    assertThat(r.message()).isEqualTo("body has content after the JSON object");
  }

  @Test
  void metadataWithContentAfterItsObjectIsRefusedNamingIt() {
    Http.Response r =
        refusedByCodeWithoutChange(
            () ->
                post(
                    "/discovery/register", registerWith("metadata", "{\"a\":\"b\"}{\"c\":\"d\"}")));

    assertThat(r.message()).isEqualTo("param 'metadata' has content after the JSON object");
  }

  @Test
  void whitespaceAfterTheJsonObjectIsNotContent() {
    String appid = newAppid("json-whitespace");
    Http.Response r =
        Http.postJson(
            url("/discovery/register"),
            "{\"zone\":\"z1\",\"env\":\""
                + ENV
                + "\",\"appid\":\""
                + appid
                + "\",\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"]} \r\n\t");

    assertThat(r.code()).as("%s", r.body()).isZero();
    assertThat(post("/discovery/cancel", form("env", ENV, "appid", appid, "hostname", "h1")).code())
        .isZero();
  }

  /**
   * A -400 that changed nothing, judged by the envelope code only: whether it travels with HTTP 400
   * or 200 is the server's business (discovery clients read the body).
   */
  private Http.Response refusedByCodeWithoutChange(Supplier<Http.Response> request) {
    long count = instanceCount();
    JsonNode witness = everything(WITNESS);

    Http.Response r = request.get();

    assertThat(r.code()).as("%s", r.body()).isEqualTo(-400);
    assertThat(instanceCount()).isEqualTo(count);
    assertThat(everything(WITNESS)).isEqualTo(witness);
    assertThat(fetch(BAD_APP).code()).isEqualTo(-404);
    return r;
  }
}
