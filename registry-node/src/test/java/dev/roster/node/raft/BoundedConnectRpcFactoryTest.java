package dev.roster.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.remoting.Url;
import com.alipay.remoting.rpc.RpcAddressParser;
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
  void requestTimeoutDoesNotRaiseTheConnectTimeout() {
    // what bolt's invokeWithCallback/invokeSync/invokeWithFuture do to the address before
    // connecting
    var parser = new BoundedConnectRpcFactory.BoundedConnectParser(100);
    parser.parse("127.0.0.1:7273").setConnectTimeout(5_000);
    assertThat(parser.parse("127.0.0.1:7273").getConnectTimeout()).isEqualTo(100);
  }

  @Test
  void shorterRequestTimeoutStillShortensTheConnect() {
    var parser = new BoundedConnectRpcFactory.BoundedConnectParser(100);
    Url url = parser.parse("127.0.0.1:7274");
    url.setConnectTimeout(40);
    assertThat(url.getConnectTimeout()).isEqualTo(40);
  }

  @Test
  void boundedAddressKeepsBoltsSettingsAndIdentity() {
    var parser = new BoundedConnectRpcFactory.BoundedConnectParser(100);
    Url ours = parser.parse("127.0.0.1:7275");
    Url bolts = new RpcAddressParser().parse("127.0.0.1:7275");
    assertThat(ours).isEqualTo(parser.parse("127.0.0.1:7275"));
    assertThat(ours.getUniqueKey()).isEqualTo(bolts.getUniqueKey());
    assertThat(ours.getProtocol()).isEqualTo(bolts.getProtocol());
    assertThat(ours.getVersion()).isEqualTo(bolts.getVersion());
    assertThat(ours.getConnNum()).isEqualTo(bolts.getConnNum());
    assertThat(ours.isConnWarmup()).isEqualTo(bolts.isConnWarmup());
  }

  @Test
  void boltsOwnCacheIsLeftAlone() {
    new BoundedConnectRpcFactory.BoundedConnectParser(100).parse("127.0.0.1:7276");
    assertThat(new RpcAddressParser().parse("127.0.0.1:7276").getConnectTimeout()).isEqualTo(1000);
  }

  @Test
  void addressNamingItsOwnConnectTimeoutKeepsIt() {
    var parser = new BoundedConnectRpcFactory.BoundedConnectParser(200);
    assertThat(parser.parse("127.0.0.1:7272?_CONNECTTIMEOUT=3000").getConnectTimeout())
        .isEqualTo(3000);
  }
}
