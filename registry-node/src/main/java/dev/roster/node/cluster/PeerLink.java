package dev.roster.node.cluster;

import dev.roster.node.tls.NodeTls;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How this node calls the others over HTTP (announcements, {@code /cluster/members}, forwarded
 * Eureka writes): HTTP/1.1, no redirects followed, over TLS with the node's own certificate and
 * trusting the cluster's CA only when the node has TLS, and with the node's admin token when it has
 * one (docs/security.md). Each caller builds its own client from here, with its own connect
 * timeout.
 */
public final class PeerLink {
  private final NodeTls tls;
  private final Supplier<Optional<String>> token;

  /**
   * @param tls this node's TLS, or null for plain HTTP
   * @param token the admin token the node presents (the admin token file's first line), if any
   */
  public PeerLink(NodeTls tls, Supplier<Optional<String>> token) {
    this.tls = tls;
    this.token = token;
  }

  /** Plain HTTP, no token: nodes of a cluster that has neither. */
  public static PeerLink plain() {
    return new PeerLink(null, Optional::empty);
  }

  public HttpClient client(Duration connectTimeout) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      b.sslContext(tls.peerContext()).sslParameters(tls.peerParameters());
    }
    return b.build();
  }

  /** Adds this node's token to a request to another node, if it has one. */
  public HttpRequest.Builder authorized(HttpRequest.Builder request) {
    token.get().ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return request;
  }
}
