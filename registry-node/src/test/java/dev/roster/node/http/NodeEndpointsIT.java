package dev.roster.node.http;

import static dev.roster.node.http.RegisterIT.fieldNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import java.net.URI;
import org.junit.jupiter.api.Test;

class NodeEndpointsIT extends SingleNodeHarness {

  @Test
  void discoveryNodesListsThisNodeAsAnUpLeader() {
    Http.Response r = Http.get(url("/discovery/nodes"));

    assertOk(r);
    assertThat(r.data().isArray()).isTrue();
    assertThat(r.data()).hasSize(1);
    JsonNode node = r.data().get(0);
    URI self = URI.create(cluster.url(0));
    assertThat(node.path("addr").asText()).isEqualTo(self.getHost() + ":" + self.getPort());
    assertThat(node.path("status").asInt()).isEqualTo(0);
    assertThat(node.path("role").asText()).isEqualTo("leader");
    assertThat(node.path("zone").asText()).isEqualTo("default");
  }

  @Test
  void discoveryStatusReportsTheSelfProtectionState() {
    Http.Response r = Http.get(url("/discovery/status"));

    assertOk(r);
    JsonNode s = r.data();
    assertThat(fieldNames(s))
        .contains("instances", "expected_renews", "renews_last_window", "threshold", "protected");
    assertThat(s.path("instances").asLong())
        .as("at least the node's own registration")
        .isPositive();
    assertThat(s.path("expected_renews").isNumber()).isTrue();
    assertThat(s.path("renews_last_window").isNumber()).isTrue();
    assertThat(s.path("threshold").isNumber()).isTrue();
    assertThat(s.path("protected").isBoolean()).isTrue();
  }

  @Test
  void discoveryStatusCountsARegisteredInstance() {
    long before = instanceCount();
    String appid = newAppid("counted");

    register(appid, "h1");
    register(appid, "h1");
    register(appid, "h2");

    assertThat(instanceCount()).isEqualTo(before + 2);
  }

  @Test
  void healthIsOk() {
    assertOk(Http.get(url("/health")));
  }

  @Test
  void readyIsOkOnAnElectedSingleNode() {
    Http.Response r = Http.get(url("/ready"));

    assertOk(r);
    assertThat(r.data().path("ready").asBoolean()).isTrue();
  }

  @Test
  void clusterStatusSaysThisNodeLeads() {
    Http.Response r = Http.get(url("/cluster/status"));

    assertOk(r);
    JsonNode s = r.data();
    assertThat(s.path("role").asText()).isEqualTo("leader");
    assertThat(s.path("leader").asText()).contains(cluster.raftAddress(0));
    assertThat(s.path("id").asText()).contains(cluster.raftAddress(0));
    assertThat(s.path("leader_http").asText()).isEqualTo(cluster.url(0));
    assertThat(s.path("term").asLong()).isPositive();
    assertThat(s.path("applied_index").asLong())
        .isPositive()
        .isLessThanOrEqualTo(s.path("committed_index").asLong());
    assertThat(s.path("peers")).hasSize(1);
    assertThat(s.path("peers").get(0).asText()).contains(cluster.raftAddress(0));
    assertThat(s.path("error").isNull()).isTrue();
  }
}
