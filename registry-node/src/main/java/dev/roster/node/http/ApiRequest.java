package dev.roster.node.http;

/**
 * A parsed request as handlers see it: the path, the original URI (for redirects), parameters, and
 * the {@code Host} it was sent to (null if none), which tells which of a node's addresses the
 * caller uses (see {@link dev.roster.node.cluster.PeerDirectory#reachedInside}).
 */
public record ApiRequest(String method, String path, String uri, Params params, String host) {
  public ApiRequest(String method, String path, String uri, Params params) {
    this(method, path, uri, params, null);
  }
}
