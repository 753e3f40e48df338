package dev.roster.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import org.junit.jupiter.api.Test;

class BoundedConnectRpcFactoryTest {
  @Test
  void jraftPicksTheBoundedFactoryOverBolts() {
    assertThat(RpcFactoryHelper.rpcFactory()).isInstanceOf(BoundedConnectRpcFactory.class);
  }

  @Test
  void handshakeGetsHalfOfConnectAndPing() {
    assertThat(BoundedConnectRpcFactory.connectTimeoutMs(200)).isEqualTo(100);
    assertThat(BoundedConnectRpcFactory.connectTimeoutMs(60)).isEqualTo(50);
  }

  @Test
  void addressWithoutConnectTimeoutGetsOurs() {
    var parser = new BoundedConnectRpcFactory.BoundedConnectParser(200);
    assertThat(parser.parse("127.0.0.1:7271").getConnectTimeout()).isEqualTo(200);
  }

  @Test
  void addressNamingItsOwnConnectTimeoutKeepsIt() {
    var parser = new BoundedConnectRpcFactory.BoundedConnectParser(200);
    assertThat(parser.parse("127.0.0.1:7272?_CONNECTTIMEOUT=3000").getConnectTimeout()).isEqualTo(3000);
  }
}
