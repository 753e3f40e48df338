package dev.roster.node.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Maps (method, path) to handlers; tells unknown paths (404) from wrong methods (405). */
public final class Router {
  private final Map<String, Map<String, Handler>> routes = new LinkedHashMap<>();

  public Router get(String path, Handler handler) {
    return add("GET", path, handler);
  }

  public Router post(String path, Handler handler) {
    return add("POST", path, handler);
  }

  private Router add(String method, String path, Handler handler) {
    Map<String, Handler> byMethod = routes.computeIfAbsent(path, p -> new TreeMap<>());
    if (byMethod.putIfAbsent(method, handler) != null) {
      throw new IllegalStateException("duplicate route " + method + " " + path);
    }
    return this;
  }

  /** The metrics label of a request: its route, or "other" (unknown paths must not add labels). */
  String endpointOf(String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    return routes.containsKey(path) ? path : "other";
  }

  /** The handler for the request, or an {@link ApiException} saying why there is none. */
  Handler route(String method, String path) {
    Map<String, Handler> byMethod = routes.get(path);
    if (byMethod == null) {
      throw new ApiException(Code.NOT_FOUND, "unknown path " + path);
    }
    Handler h = byMethod.get(method);
    if (h == null) {
      throw new MethodNotAllowed(method, path, String.join(", ", byMethod.keySet()));
    }
    return h;
  }

  static final class MethodNotAllowed extends ApiException {
    private static final long serialVersionUID = 1L;
    final String allow;

    MethodNotAllowed(String method, String path, String allow) {
      super(Code.METHOD_NOT_ALLOWED, "method " + method + " not allowed on " + path + " (use " + allow + ")");
      this.allow = allow;
    }

    @Override
    public Reply toReply() {
      return new Reply(code(), getMessage(), null, Map.of("Allow", allow));
    }
  }
}
