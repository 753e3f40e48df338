package dev.roster.node.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps (method, path) to handlers; tells unknown paths (404) from wrong methods (405), and knows
 * which routes speak discovery's wire, where the outcome travels in the body's code alone.
 */
public final class Router {
  private static final Set<Code> TRANSPORT_CODES =
      EnumSet.of(Code.NOT_LEADER, Code.METHOD_NOT_ALLOWED, Code.TOO_LARGE);

  private final Map<String, Map<String, Handler>> routes = new LinkedHashMap<>();
  private String codeInBodyPrefix;

  /**
   * Routes under {@code prefix} answer HTTP 200 whatever their code, as discovery's server and the
   * article's handlers do: discovery's clients read no body when the status is 400 or more, so a
   * -404 on renew sent as HTTP 404 would never make them register again.
   */
  public Router codeInBody(String prefix) {
    this.codeInBodyPrefix = prefix;
    return this;
  }

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

  /** Every route: "METHOD path", in the order they were added. */
  List<String> routes() {
    List<String> all = new ArrayList<>();
    routes.forEach((path, byMethod) -> byMethod.keySet().forEach(m -> all.add(m + " " + path)));
    return all;
  }

  /** The metrics label of a request: its route, or "other" (unknown paths must not add labels). */
  String endpointOf(String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    return routes.containsKey(path) ? path : "other";
  }

  /**
   * The HTTP status of {@code reply} to a request for {@code endpoint} (see {@link #endpointOf}).
   * On discovery's wire it is 200, except a redirect to the leader (307, which HTTP clients follow)
   * and the refusals HTTP itself names: a wrong method (405) and a body too large (413); an unknown
   * path is no route (404).
   */
  HttpResponseStatus httpStatus(String endpoint, Reply reply) {
    boolean inBody =
        codeInBodyPrefix != null
            && endpoint.startsWith(codeInBodyPrefix)
            && routes.containsKey(endpoint);
    return inBody && !TRANSPORT_CODES.contains(reply.code())
        ? HttpResponseStatus.OK
        : reply.code().status;
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
      super(
          Code.METHOD_NOT_ALLOWED,
          "method " + method + " not allowed on " + path + " (use " + allow + ")");
      this.allow = allow;
    }

    @Override
    public Reply toReply() {
      return new Reply(code(), getMessage(), null, Map.of("Allow", allow));
    }
  }
}
