package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Eureka's REST API on a 3-node cluster, spoken as the Spring Cloud clients speak it (the requests
 * of a recorded run: paths, query strings, headers, bodies): writes on a follower are forwarded,
 * every node serves the same registry, hashcode and delta, overrides stick, and bad input gets
 * Eureka's 400s with nothing changed. The real clients run against it in the eureka ITs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EurekaApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private TestCluster cluster;
  private int leader;
  private int follower;

  record Answer(int status, String body, String contentType) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(body, e);
      }
    }
  }

  @BeforeAll
  void startCluster() {
    cluster = TestCluster.start(3, Map.of("eureka-env", "dev"));
    leader = cluster.awaitReady();
    follower = cluster.followers(leader).get(0);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * The register body the Boot 4 client sent in the recorded run, for {@code app} and {@code id}.
   */
  static String instanceInfo(String app, String id, String status, long lastDirty, String zone) {
    return """
        {"instance":{"instanceId":"%2$s","app":"%1$s","appGroupName":null,"ipAddr":"127.0.0.9",\
        "sid":"na","homePageUrl":"http://probe-host:18091/",\
        "statusPageUrl":"http://probe-host:18091/actuator/info",\
        "healthCheckUrl":"http://probe-host:18091/actuator/health","secureHealthCheckUrl":null,\
        "vipAddress":"%3$s","secureVipAddress":"%3$s","countryId":1,\
        "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo",\
        "name":"MyOwn"},"hostName":"probe-host","status":"%4$s","overriddenStatus":"UNKNOWN",\
        "leaseInfo":{"renewalIntervalInSecs":5,"durationInSecs":15,"registrationTimestamp":0,\
        "lastRenewalTimestamp":0,"evictionTimestamp":0,"serviceUpTimestamp":0},\
        "isCoordinatingDiscoveryServer":false,"lastUpdatedTimestamp":1795611823787,\
        "lastDirtyTimestamp":%5$d,"actionType":null,"asgName":null,\
        "port":{"$":18091,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},\
        "metadata":{"color":"blue","zone":"%6$s","management.port":"18091"}}}"""
        .formatted(app, id, app.toLowerCase(), status, lastDirty, zone);
  }

  private String base(int node) {
    return cluster.url(node) + "/eureka";
  }

  private static Answer send(String method, String url, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            // the Boot 4 RestClient's headers; Boot 3.5 sends Accept with application/*+json too
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          r.statusCode(), r.body(), r.headers().firstValue("content-type").orElse(null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Answer register(int node, String app, String id, String status, long lastDirty) {
    return send(
        "POST", base(node) + "/apps/" + app, instanceInfo(app, id, status, lastDirty, "sh001"));
  }

  /** The instances of {@code app} in node {@code node}'s full registry. */
  private List<JsonNode> instancesOf(int node, String app) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode a :
        send("GET", base(node) + "/apps/", null).json().at("/applications/application")) {
      if (a.path("name").asText().equals(app)) {
        a.path("instance").forEach(found::add);
      }
    }
    return found;
  }

  private void awaitEveryNode(String what, java.util.function.IntPredicate condition) {
    await(what)
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              for (int i = 0; i < cluster.size(); i++) {
                if (!condition.test(i)) {
                  return false;
                }
              }
              return true;
            });
  }

  @Test
  void aRegisterOnAFollowerIsForwardedToTheLeaderAndEveryNodeServesIt() {
    Answer r = register(follower, "FWD-SVC", "10.0.0.1:fwd-svc:8080", "UP", 1_000);

    assertThat(r.status()).as(r.body()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    awaitEveryNode("every node lists FWD-SVC", i -> instancesOf(i, "FWD-SVC").size() == 1);
    JsonNode i = instancesOf(follower, "FWD-SVC").get(0);
    assertThat(i.path("instanceId").asText()).isEqualTo("10.0.0.1:fwd-svc:8080");
    assertThat(i.path("app").asText()).isEqualTo("FWD-SVC");
    assertThat(i.path("hostName").asText()).isEqualTo("probe-host");
    assertThat(i.at("/port/$").asInt()).isEqualTo(18091);
    assertThat(i.at("/port/@enabled").asText()).isEqualTo("true");
    assertThat(i.at("/dataCenterInfo/@class").asText())
        .isEqualTo("com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo");
    assertThat(i.at("/metadata/zone").asText()).isEqualTo("sh001");
    assertThat(i.at("/metadata/color").asText()).isEqualTo("blue");
    assertThat(i.at("/leaseInfo/renewalIntervalInSecs").asInt()).isEqualTo(5);
    assertThat(i.at("/leaseInfo/durationInSecs").asInt()).isEqualTo(15);
    assertThat(i.path("status").asText()).isEqualTo("UP");
    assertThat(i.path("lastDirtyTimestamp").asText()).isEqualTo("1000");
    // the same instance, in the discovery API: appid lower-cased, zone from the metadata
    assertThat(cluster.instance(leader, "dev", "fwd-svc", "10.0.0.1:fwd-svc:8080"))
        .hasValueSatisfying(
            d -> {
              assertThat(d.zone()).isEqualTo("sh001");
              assertThat(d.addrs()).containsExactly("http://probe-host:18091");
            });
  }

  @Test
  void everyNodeAnswersTheSameFullRegistryAndDelta() {
    register(leader, "SAME-A", "a1", "UP", 1);
    register(follower, "SAME-B", "b1", "STARTING", 1);

    awaitEveryNode(
        "all nodes agree",
        i ->
            send("GET", base(i) + "/apps/", null)
                    .body()
                    .equals(send("GET", base(leader) + "/apps/", null).body())
                && send("GET", base(i) + "/apps/delta", null)
                    .body()
                    .equals(send("GET", base(leader) + "/apps/delta", null).body())
                && !instancesOf(i, "SAME-B").isEmpty());
    Answer full = send("GET", base(follower) + "/apps/", null);
    assertThat(full.status()).isEqualTo(200);
    assertThat(full.contentType()).startsWith("application/json");
    assertThat(full.json().at("/applications/versions__delta").asText()).isNotEqualTo("-1");
  }

  @Test
  void theHashcodeCountsEveryStatusOfTheWholeRegistry() {
    register(leader, "HASH-A", "h1", "UP", 1);
    register(leader, "HASH-A", "h2", "DOWN", 1);

    JsonNode apps = send("GET", base(leader) + "/apps/", null).json().path("applications");
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (JsonNode a : apps.path("application")) {
      for (JsonNode i : a.path("instance")) {
        counts.merge(i.path("status").asText(), 1, Integer::sum);
      }
    }
    StringBuilder expected = new StringBuilder();
    counts.forEach((s, n) -> expected.append(s).append('_').append(n).append('_'));
    assertThat(counts).containsKeys("DOWN", "UP");
    assertThat(apps.path("apps__hashcode").asText()).isEqualTo(expected.toString());
    assertThat(
            send("GET", base(leader) + "/apps/delta", null)
                .json()
                .at("/applications/apps__hashcode")
                .asText())
        .isEqualTo(expected.toString());
  }

  @Test
  void theDeltaCarriesAdditionsAndDeletionsWithTheirActionType() {
    register(leader, "DELTA-SVC", "d1", "UP", 1);
    register(leader, "DELTA-SVC", "d2", "UP", 1);
    assertThat(send("DELETE", base(follower) + "/apps/DELTA-SVC/d1", null).status()).isEqualTo(200);

    Map<String, String> actions = new java.util.HashMap<>();
    for (JsonNode a :
        send("GET", base(leader) + "/apps/delta", null).json().at("/applications/application")) {
      if (a.path("name").asText().equals("DELTA-SVC")) {
        a.path("instance")
            .forEach(
                i -> actions.put(i.path("instanceId").asText(), i.path("actionType").asText()));
      }
    }
    assertThat(actions).containsEntry("d1", "DELETED").containsEntry("d2", "ADDED");
    assertThat(instancesOf(leader, "DELTA-SVC"))
        .extracting(i -> i.path("instanceId").asText())
        .containsExactly("d2");
    assertThat(send("DELETE", base(leader) + "/apps/DELTA-SVC/d1", null).status()).isEqualTo(404);
  }

  @Test
  void renewAnswers404WhenUnknownOrWhenTheClientHasANewerDirtyTimestamp() {
    register(leader, "RENEW-SVC", "r1", "UP", 5_000);
    String renew = base(follower) + "/apps/RENEW-SVC/r1?status=UP&lastDirtyTimestamp=";

    assertThat(send("PUT", renew + "5000", null).status()).isEqualTo(200);
    assertThat(send("PUT", renew + "4000", null).status()).isEqualTo(200);
    assertThat(send("PUT", renew + "5001", null).status()).isEqualTo(404);
    assertThat(send("PUT", base(follower) + "/apps/RENEW-SVC/nope?status=UP", null).status())
        .isEqualTo(404);
    assertThat(send("PUT", renew + "soon", null).status()).isEqualTo(400);
  }

  @Test
  void anOverrideHidesTheInstanceAndSurvivesReRegistersUntilDeleted() {
    register(leader, "OOS-SVC", "o1", "UP", 1);
    String status = base(follower) + "/apps/OOS-SVC/o1/status";

    assertThat(send("PUT", status + "?value=OUT_OF_SERVICE&lastDirtyTimestamp=1", null).status())
        .isEqualTo(200);
    assertThat(instancesOf(leader, "OOS-SVC").get(0).path("status").asText())
        .isEqualTo("OUT_OF_SERVICE");
    assertThat(instancesOf(leader, "OOS-SVC").get(0).path("overriddenStatus").asText())
        .isEqualTo("OUT_OF_SERVICE");
    assertThat(cluster.instance(leader, "dev", "oos-svc", "o1").orElseThrow().status())
        .isEqualTo(dev.roster.node.model.Status.WAITING);

    register(follower, "OOS-SVC", "o1", "UP", 2);
    assertThat(instancesOf(leader, "OOS-SVC").get(0).path("status").asText())
        .as("the override survives a re-register")
        .isEqualTo("OUT_OF_SERVICE");

    assertThat(send("DELETE", status + "?lastDirtyTimestamp=2", null).status()).isEqualTo(200);
    assertThat(instancesOf(leader, "OOS-SVC").get(0).path("status").asText()).isEqualTo("UP");
    assertThat(cluster.instance(leader, "dev", "oos-svc", "o1").orElseThrow().status())
        .isEqualTo(dev.roster.node.model.Status.UP);
    assertThat(send("PUT", status + "?value=SLEEPING", null).status()).isEqualTo(400);
    assertThat(send("PUT", base(leader) + "/apps/OOS-SVC/none/status?value=DOWN", null).status())
        .isEqualTo(404);
  }

  @Test
  void badRegistersGetEurekasFourHundredsAndChangeNothing() {
    String before = send("GET", base(leader) + "/apps/", null).body();
    String good = instanceInfo("BAD-SVC", "b1", "UP", 1, "sh001");
    Map<String, String> bodies =
        Map.of(
            "Missing instanceId", good.replace("\"instanceId\":\"b1\",", ""),
            "Missing hostname", good.replace("\"hostName\":\"probe-host\",", ""),
            "Missing ip address", good.replace("\"ipAddr\":\"127.0.0.9\",", ""),
            "Missing dataCenterInfo",
                good.replace(
                    "\"dataCenterInfo\":{\"@class\":\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\",\"name\":\"MyOwn\"},",
                    ""),
            "Mismatched appName", good.replace("\"app\":\"BAD-SVC\"", "\"app\":\"OTHER\""),
            "not valid JSON", "{\"instance\":",
            "port must be", good.replace("\"$\":18091", "\"$\":99999"));
    bodies.forEach(
        (message, body) -> {
          Answer a = send("POST", base(follower) + "/apps/BAD-SVC", body);
          assertThat(a.status()).as(message).isEqualTo(400);
          assertThat(a.body()).as(message).contains(message);
        });
    assertThat(send("GET", base(leader) + "/apps/", null).body()).isEqualTo(before);
  }

  @Test
  void aDiscoveryRegistrationIsAnInstanceInTheEurekaView() {
    dev.roster.node.testing.Http.postForm(
        cluster.url(leader) + "/discovery/register",
        "zone=sh002&env=dev&appid=native.svc&hostname=n1&addrs=http://10.1.2.3:9000&status=1");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !instancesOf(follower, "NATIVE.SVC").isEmpty());
    JsonNode i = instancesOf(follower, "NATIVE.SVC").get(0);
    assertThat(i.path("hostName").asText()).isEqualTo("10.1.2.3");
    assertThat(i.at("/port/$").asInt()).isEqualTo(9000);
    assertThat(i.at("/metadata/zone").asText()).isEqualTo("sh002");
    assertThat(i.path("vipAddress").asText()).isEqualTo("native.svc");
    assertThat(
            send("GET", base(follower) + "/apps/NATIVE.SVC/n1", null)
                .json()
                .at("/instance/instanceId")
                .asText())
        .isEqualTo("n1");
    assertThat(
            send("GET", base(follower) + "/vips/native.svc", null)
                .json()
                .at("/applications/application/0/name")
                .asText())
        .isEqualTo("NATIVE.SVC");
  }

  @Test
  void anEnvInThePathIsServedApartFromTheDefaultOne() {
    assertThat(
            send(
                    "POST",
                    base(leader) + "/staging/apps/ENV-SVC",
                    instanceInfo("ENV-SVC", "e1", "UP", 1, "sh001"))
                .status())
        .isEqualTo(204);

    assertThat(cluster.instance(leader, "staging", "env-svc", "e1")).isPresent();
    assertThat(instancesOf(leader, "ENV-SVC")).isEmpty();
    assertThat(send("GET", base(leader) + "/staging/apps/ENV-SVC", null).status()).isEqualTo(200);
    assertThat(send("GET", base(leader) + "/apps/ENV-SVC", null).status()).isEqualTo(404);
  }

  @Test
  void theRegistryIsGzippedForClientsThatAcceptIt() throws Exception {
    register(leader, "GZ-SVC", "g1", "UP", 1);
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base(leader) + "/apps/"))
                .header("Accept", "application/json, application/*+json")
                .header("Accept-Encoding", "gzip, x-gzip, deflate")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
    String unzipped;
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))) {
      unzipped = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertThat(unzipped).isEqualTo(send("GET", base(leader) + "/apps/", null).body());
  }

  @Test
  void inADeltaAnApplicationsDeletionsComeAfterItsAdditions() {
    register(leader, "ORDER-SVC", "o-first", "UP", 1);
    assertThat(send("DELETE", base(leader) + "/apps/ORDER-SVC/o-first", null).status())
        .isEqualTo(200);
    register(leader, "ORDER-SVC", "o-second", "UP", 1);

    // both forms of the serviceUrl serve the delta (the env form once reached the app route)
    for (String root : List.of(base(leader), base(leader) + "/dev")) {
      Answer delta = send("GET", root + "/apps/delta", null);
      assertThat(delta.status()).as(root).isEqualTo(200);
      List<String> order = new ArrayList<>();
      for (JsonNode a : delta.json().at("/applications/application")) {
        if (a.path("name").asText().equals("ORDER-SVC")) {
          a.path("instance")
              .forEach(
                  i ->
                      order.add(
                          i.path("instanceId").asText() + " " + i.path("actionType").asText()));
        }
      }
      // a client that no longer holds ORDER-SVC adds the delta's whole application on the ADDED;
      // the DELETED after it takes o-first out again
      assertThat(order).as(root).containsExactly("o-second ADDED", "o-first DELETED");
    }
  }
}
