package dev.roster.node.http;

import java.util.Map;

/**
 * A parsed request as handlers see it: the path, the original URI (for redirects), parameters, the
 * {@code Host} it was sent to (null if none), which tells which of a node's addresses the caller
 * uses (see {@link dev.roster.node.cluster.PeerDirectory#reachedInside}), the values of the route's
 * {@code {name}} segments, and, for routes that read their body themselves ({@link
 * Router#rawBodies}), the body and the headers (names in lower case).
 */
public record ApiRequest(
    String method,
    String path,
    String uri,
    Params params,
    String host,
    Map<String, String> pathParams,
    byte[] body,
    Map<String, String> headers) {
  public ApiRequest {
    pathParams = Map.copyOf(pathParams);
    body = body == null ? new byte[0] : body;
    headers = Map.copyOf(headers);
  }

  public ApiRequest(String method, String path, String uri, Params params, String host) {
    this(method, path, uri, params, host, Map.of(), null, Map.of());
  }

  public ApiRequest(String method, String path, String uri, Params params) {
    this(method, path, uri, params, null);
  }

  /** The value of the route's {@code {name}} segment. */
  public String pathParam(String name) {
    String v = pathParams.get(name);
    if (v == null) {
      throw new IllegalStateException("route has no {" + name + "}");
    }
    return v;
  }

  /** A header's value, or null; {@code name} in lower case. */
  public String header(String name) {
    return headers.get(name);
  }
}
