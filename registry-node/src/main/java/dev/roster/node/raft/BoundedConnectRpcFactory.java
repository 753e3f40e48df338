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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JRaft's bolt transport with TCP connects bounded by half the node's {@code rpcConnectTimeoutMs}.
 *
 * <p>Bolt gives every address JRaft hands it ("ip:port") a 1 s connect timeout, and then every
 * request sent with a timeout raises that address's connect timeout to the request's: bolt's {@code
 * invokeWithCallback}, {@code invokeSync} and {@code invokeWithFuture} call {@code
 * url.setConnectTimeout(requestTimeout)} on the address it parsed (and caches for the whole JVM).
 * {@code rpcConnectTimeoutMs} only bounds the wait for the ping's answer once connected. JRaft
 * connects synchronously, holding the node's lock, before a pre-vote, before a vote, when a new
 * leader starts its replicators and when a follower forwards a read-index request to its leader
 * (request timeout 5 s) — so a peer whose address silently drops packets (a black-holed host, a
 * dead container's IP) stalled each of those steps for up to the request's timeout: a follower that
 * had just forwarded a consistent read to a leader killed with {@code docker kill} held its node
 * lock for 5 s, could neither campaign nor answer its peer's pre-vote, and the failover took 5 to
 * 6.5 s. A peer that answers connects is unaffected: on a LAN a handshake takes well under a
 * millisecond, and a connect that does time out only skips that peer for this round (JRaft
 * retries), so only liveness changes. A leader whose replicator to such a peer could not start
 * retries the connect on every step-down tick, under the node lock: bounded, it holds up the
 * leader's writes for 100 ms at a time instead of a second.
 *
 * <p>Registered in {@code META-INF/services} with a priority above bolt's own factory (0).
 */
@SPI(priority = 10)
public final class BoundedConnectRpcFactory extends BoltRaftRpcFactory {
  @Override
  public RpcClient createRpcClient(RaftRpcFactory.ConfigHelper<RpcClient> helper) {
    com.alipay.remoting.rpc.RpcClient bolt = new com.alipay.remoting.rpc.RpcClient();
    RpcClient client =
        new BoltRpcClient(bolt) {
          @Override
          public boolean init(RpcOptions opts) {
            // before startup, which otherwise installs bolt's own parser
            bolt.setAddressParser(
                new BoundedConnectParser(connectTimeoutMs(opts.getRpcConnectTimeoutMs())));
            RaftTls tls = BoltTls.of(opts);
            if (tls != null) {
              BoltTls.configure(bolt, tls);
            }
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

  /**
   * Bolt's parser, except that an address naming no connect timeout of its own gets a {@link
   * BoundedUrl}: ours, which no request timeout can raise. Parsed addresses are kept per client (a
   * node has a handful of peers), not in bolt's JVM-wide cache, so another bolt client in the same
   * process never sees, or changes, ours.
   */
  static final class BoundedConnectParser extends RpcAddressParser {
    private final int connectTimeoutMs;
    private final Map<String, Url> parsed = new ConcurrentHashMap<>();

    BoundedConnectParser(int connectTimeoutMs) {
      this.connectTimeoutMs = connectTimeoutMs;
    }

    @Override
    public Url parse(String address) {
      Url known = parsed.get(address);
      if (known != null) {
        return known;
      }
      Url url = super.parse(address);
      if (url.getProperty(RpcConfigs.CONNECT_TIMEOUT_KEY) != null) {
        return url;
      }
      Url bounded = new BoundedUrl(url, connectTimeoutMs);
      initUrlArgs(bounded);
      Url raced = parsed.putIfAbsent(address, bounded);
      return raced != null ? raced : bounded;
    }
  }

  /** An address whose connect timeout never exceeds its bound, whatever bolt sets it to. */
  static final class BoundedUrl extends Url {
    private final int boundMs;

    BoundedUrl(Url parsed, int boundMs) {
      super(parsed.getOriginUrl(), parsed.getIp(), parsed.getPort(), parsed.getProperties());
      this.boundMs = boundMs;
    }

    @Override
    public int getConnectTimeout() {
      return Math.min(super.getConnectTimeout(), boundMs);
    }
  }
}
