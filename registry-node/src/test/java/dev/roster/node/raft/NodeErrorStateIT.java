package dev.roster.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.EnumOutter.ErrorType;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A node whose JRaft core stopped with an error (here: a log storage failure, as the chaos suite
 * hit) must say so on /ready and /cluster/status, not fail them with a -500.
 */
class NodeErrorStateIT {

  @Test
  void aNodeInJRaftsErrorStateIsReportedNotReadyWithTheReason() {
    try (TestCluster c = TestCluster.start(1)) {
      c.awaitReady();
      NodeImpl node = (NodeImpl) c.node(0).raft().jraftNode();
      node.onError(
          new RaftException(
              ErrorType.ERROR_TYPE_LOG,
              new Status(RaftError.EIO, "Failed operation in LogStorage")));

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Http.Response ready = Http.get(c.url(0) + "/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.message())
                    .isEqualTo("not ready: state machine failed: Failed operation in LogStorage");
              });
      Http.Response status = Http.get(c.url(0) + "/cluster/status");
      assertThat(status.code()).as("%s", status.body()).isZero();
      assertThat(status.data().path("role").asText()).isEqualTo("error");
      assertThat(status.data().path("error").asText()).isEqualTo("Failed operation in LogStorage");
    }
  }
}
