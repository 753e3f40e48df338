package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node with two URLs — advertised for clients outside (the host a compose file publishes on) and
 * a cluster URL for the nodes' own network — answers each caller with the addresses that caller can
 * use: a redirect and the node list name the other nodes' cluster URLs for a request that came by
 * this node's cluster URL, and their advertised URLs otherwise. Here the two are {@code
 * http://127.0.0.1:P} and {@code http://localhost:P}: different names for one loopback.
 */
class ClusterAddressIT {
  private static TestCluster cluster;
  private static int leader;
  private static int follower;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, Map.of("cluster-url", "http://localhost:{http-port}"));
    leader = cluster.awaitReady();
    follower = cluster.followers(leader).get(0);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String port(int node) {
    return cluster.url(node).substring(cluster.url(node).lastIndexOf(':') + 1);
  }

  private static Http.Response registerOn(String base) {
    return Http.postForm(
        base + "/discovery/register",
        "zone=z1&env=addr&appid=addr.app&hostname=h1&addrs=http://10.0.0.1:80");
  }

  @Test
  void aFollowerRedirectsEachCallerToTheLeaderAddressItCanReach() {
    Http.Response outside = registerOn("http://127.0.0.1:" + port(follower));
    assertThat(outside.status()).as(outside.body().toString()).isEqualTo(307);
    assertThat(outside.headers().firstValue("Location"))
        .hasValue("http://127.0.0.1:" + port(leader) + "/discovery/register");

    Http.Response inside = registerOn("http://localhost:" + port(follower));
    assertThat(inside.status()).as(inside.body().toString()).isEqualTo(307);
    assertThat(inside.headers().firstValue("Location"))
        .hasValue("http://localhost:" + port(leader) + "/discovery/register");
    assertThat(inside.data().path("leader").asText()).isEqualTo("http://localhost:" + port(leader));
  }

  @Test
  void theNodeListNamesTheAddressesTheCallerCanReach() {
    assertThat(addrs("http://127.0.0.1:" + port(follower)))
        .allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"))
        .hasSize(3);
    assertThat(addrs("http://localhost:" + port(follower)))
        .allSatisfy(a -> assertThat(a).startsWith("localhost:"))
        .hasSize(3);
  }

  private static List<String> addrs(String base) {
    List<String> addrs = new ArrayList<>();
    for (JsonNode row : Http.get(base + "/discovery/nodes").data()) {
      addrs.add(row.path("addr").asText());
    }
    return addrs;
  }
}
