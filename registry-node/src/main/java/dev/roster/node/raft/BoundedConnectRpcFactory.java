package dev.roster.node.raft;

import com.alipay.remoting.Url;
import com.alipay.remoting.rpc.RpcAddressParser;
import com.alipay.remoting.rpc.RpcConfigs;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcFactory;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.impl.BoltRaftRpcFactory;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcClient;
import com.alipay.sofa.jraft.util.SPI;

/**
 * JRaft's bolt transport with TCP connects bounded by half the node's {@code rpcConnectTimeoutMs}.
 *
 * <p>Bolt gives every address JRaft hands it ("ip:port") a hard-coded 1 s connect timeout;
 * {@code rpcConnectTimeoutMs} only bounds the wait for the ping's answer once connected. JRaft
 * connects synchronously, holding the node's lock, before a pre-vote, before a vote and when a new
 * leader starts its replicators — so a peer whose address silently drops packets (a black-holed
 * host, a dead container's IP) stalled each of those steps for a full second, and a failover
 * for up to three. A peer that answers connects is unaffected: on a LAN a handshake takes well
 * under a millisecond, and a connect that does time out only skips that peer for this round
 * (JRaft retries), so only liveness changes. A leader whose replicator to such a peer could not
 * start retries the connect on every step-down tick, under the node lock: bounded, it holds up
 * the leader's writes for 100 ms at a time instead of a second.
 *
 * <p>Registered in {@code META-INF/services} with a priority above bolt's own factory (0).
 */
@SPI(priority = 10)
public final class BoundedConnectRpcFactory extends BoltRaftRpcFactory {
  @Override
  public RpcClient createRpcClient(RaftRpcFactory.ConfigHelper<RpcClient> helper) {
    com.alipay.remoting.rpc.RpcClient bolt = new com.alipay.remoting.rpc.RpcClient();
    RpcClient client = new BoltRpcClient(bolt) {
      @Override
      public boolean init(RpcOptions opts) {
        // before startup, which otherwise installs bolt's own parser
        bolt.setAddressParser(new BoundedConnectParser(connectTimeoutMs(opts.getRpcConnectTimeoutMs())));
        return super.init(opts);
      }
    };
    if (helper != null) {
      helper.config(client);
    }
    return client;
  }

  /**
   * The TCP handshake, which the peer's kernel answers whatever its process is doing, gets half of
   * what JRaft allows for connect and ping together (the ping's answer needs the peer's threads).
   */
  static int connectTimeoutMs(int rpcConnectTimeoutMs) {
    return Math.max(50, rpcConnectTimeoutMs / 2);
  }

  /** Bolt's parser, with the connect timeout of an address that names none set to ours. */
  static final class BoundedConnectParser extends RpcAddressParser {
    private final int connectTimeoutMs;

    BoundedConnectParser(int connectTimeoutMs) {
      this.connectTimeoutMs = connectTimeoutMs;
    }

    @Override
    public Url parse(String address) {
      Url url = super.parse(address);
      if (url.getProperty(RpcConfigs.CONNECT_TIMEOUT_KEY) == null) {
        url.setConnectTimeout(connectTimeoutMs);
      }
      return url;
    }
  }
}
