package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import org.junit.jupiter.api.Test;

class ClusterSmokeIT {
  @Test
  void threeNodesElectALeaderAndReplicateARegister() {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitReady();
      Http.Response r = Http.postForm(c.url(leader) + "/discovery/register",
          "zone=z1&env=dev&appid=demo&hostname=h1&addrs=http://10.0.0.1:80");
      assertThat(r.code()).isEqualTo(0);
      for (int f : c.followers(leader)) {
        Http.Response fetch = Http.get(c.url(f) + "/discovery/fetch?env=dev&appid=demo&consistent=true");
        assertThat(fetch.code()).isEqualTo(0);
        assertThat(fetch.data().path("instances").path("z1").get(0).path("hostname").asText()).isEqualTo("h1");
      }
    }
  }
}
