package dev.roster.node.raft;

import com.alipay.remoting.config.BoltClientOption;
import com.alipay.remoting.config.BoltServerOption;
import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import com.alipay.sofa.jraft.util.Endpoint;

/**
 * Bolt's own SSL (its {@code bolt.server.ssl.*} / {@code bolt.client.ssl.*} options, set per server
 * and per client rather than as JVM-wide system properties, so nodes in one JVM keep their own
 * certificates): the server requires a client certificate, and both sides build their key and trust
 * managers from the node's {@link RaftTls} key store, which bolt reads again for each new
 * connection — a rotated certificate applies to the next connection without a restart.
 */
final class BoltTls {
  private static final String STORE_TYPE = "PKCS12";
  private static final String ALGORITHM = "SunX509";

  private BoltTls() {}

  /** Node options that carry the node's Raft TLS to the RPC client JRaft builds from them. */
  static final class TlsNodeOptions extends NodeOptions {
    private final RaftTls tls;

    TlsNodeOptions(RaftTls tls) {
      this.tls = tls;
    }
  }

  /** The TLS of the node whose options these are, or null. */
  static RaftTls of(RpcOptions options) {
    return options instanceof TlsNodeOptions t ? t.tls : null;
  }

  static void configure(com.alipay.remoting.rpc.RpcClient client, RaftTls tls) {
    client.option(BoltClientOption.CLI_SSL_ENABLE, true);
    client.option(BoltClientOption.CLI_SSL_KEYSTORE_TYPE, STORE_TYPE);
    client.option(BoltClientOption.CLI_SSL_KEYSTORE, tls.keyStore().toString());
    client.option(BoltClientOption.CLI_SSL_KEYSTORE_PASS, tls.password());
    client.option(BoltClientOption.CLI_SSL_TMF_ALGO, ALGORITHM);
    // the client side reads the key manager's algorithm from this server option
    client.option(BoltServerOption.SRV_SSL_KMF_ALGO, ALGORITHM);
  }

  /** JRaft's RPC server for {@code endpoint} (its request processors added), speaking TLS only. */
  static RpcServer server(Endpoint endpoint, RaftTls tls, NodeOptions options) {
    com.alipay.remoting.rpc.RpcServer bolt =
        new com.alipay.remoting.rpc.RpcServer(endpoint.getPort(), true, false);
    bolt.option(BoltServerOption.SRV_SSL_ENABLE, true);
    bolt.option(BoltServerOption.SRV_SSL_NEED_CLIENT_AUTH, true);
    bolt.option(BoltServerOption.SRV_SSL_KEYSTORE_TYPE, STORE_TYPE);
    bolt.option(BoltServerOption.SRV_SSL_KEYSTORE, tls.keyStore().toString());
    bolt.option(BoltServerOption.SRV_SSL_KEYSTORE_PASS, tls.password());
    bolt.option(BoltServerOption.SRV_SSL_KMF_ALGO, ALGORITHM);
    RpcServer server = new BoltRpcServer(bolt);
    // as RaftGroupService builds it for a node without TLS
    RaftRpcServerFactory.addRaftRequestProcessors(
        server,
        JRaftUtils.createExecutor("RAFT-RPC-executor-", options.getRaftRpcThreadPoolSize()),
        JRaftUtils.createExecutor("CLI-RPC-executor-", options.getCliRpcThreadPoolSize()));
    return server;
  }
}
