package dev.roster.node.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Maps (method, path) to handlers; tells unknown paths (404) from wrong methods (405), and knows
 * which routes speak discovery's wire, where the outcome travels in the body's code alone.
 *
 * <p>A path is either exact ({@code /discovery/fetch}) or a template whose {@code {name}} segments
 * match any one segment ({@code /eureka/{env}/apps/{app}}); exact paths win, then the most specific
 * template (a literal segment beats a {@code {name}}), then the order they were added; under the
 * {@link #rawBodies} prefix a trailing slash is ignored.
 */
public final class Router {
  private static final Set<Code> TRANSPORT_CODES =
      EnumSet.of(
          Code.NOT_LEADER,
          Code.METHOD_NOT_ALLOWED,
          Code.TOO_LARGE,
          Code.UNAUTHORIZED,
          Code.FORBIDDEN);

  private final Map<String, Map<String, Handler>> routes = new LinkedHashMap<>();
  private final List<Template> templates = new ArrayList<>();
  private String codeInBodyPrefix;
  private String rawPrefix;

  /**
   * Routes under {@code prefix} answer HTTP 200 whatever their code, as discovery's server and the
   * article's handlers do: discovery's clients read no body when the status is 400 or more, so a
   * -404 on renew sent as HTTP 404 would never make them register again.
   */
  public Router codeInBody(String prefix) {
    this.codeInBodyPrefix = prefix;
    return this;
  }

  /**
   * Routes under {@code prefix} read their body themselves (Eureka's JSON): their parameters are
   * the query string's, and they get the body and headers as they came.
   */
  public Router rawBodies(String prefix) {
    this.rawPrefix = prefix;
    return this;
  }

  public Router get(String path, Handler handler) {
    return add("GET", path, handler);
  }

  public Router post(String path, Handler handler) {
    return add("POST", path, handler);
  }

  public Router put(String path, Handler handler) {
    return add("PUT", path, handler);
  }

  public Router delete(String path, Handler handler) {
    return add("DELETE", path, handler);
  }

  private Router add(String method, String path, Handler handler) {
    Map<String, Handler> byMethod;
    if (path.contains("{")) {
      Template template =
          templates.stream()
              .filter(x -> x.path.equals(path))
              .findFirst()
              .orElseGet(
                  () -> {
                    Template x = new Template(path);
                    templates.add(x);
                    return x;
                  });
      byMethod = template.byMethod;
    } else {
      byMethod = routes.computeIfAbsent(path, p -> new TreeMap<>());
    }
    if (byMethod.putIfAbsent(method, handler) != null) {
      throw new IllegalStateException("duplicate route " + method + " " + path);
    }
    return this;
  }

  /** Every route: "METHOD path", in the order they were added. */
  List<String> routes() {
    List<String> all = new ArrayList<>();
    routes.forEach((path, byMethod) -> byMethod.keySet().forEach(m -> all.add(m + " " + path)));
    templates.forEach(x -> x.byMethod.keySet().forEach(m -> all.add(m + " " + x.path)));
    return all;
  }

  /** The metrics label of a request: its route, or "other" (unknown paths must not add labels). */
  String endpointOf(String uri) {
    int q = uri.indexOf('?');
    String path = exact(q < 0 ? uri : uri.substring(0, q));
    if (routes.containsKey(path)) {
      return path;
    }
    List<Template> matching = matching(Template.segments(path));
    return matching.isEmpty() ? "other" : matching.get(0).path;
  }

  /**
   * The HTTP status of {@code reply} to a request for {@code endpoint} (see {@link #endpointOf}).
   * On discovery's wire it is 200, except a redirect to the leader (307, which HTTP clients follow)
   * and the refusals HTTP itself names: a wrong method (405) and a body too large (413); an unknown
   * path is no route (404).
   */
  HttpResponseStatus httpStatus(String endpoint, Reply reply) {
    if (reply.data() instanceof RawBody raw && raw.status() != 0) {
      return HttpResponseStatus.valueOf(raw.status());
    }
    boolean inBody =
        codeInBodyPrefix != null
            && endpoint.startsWith(codeInBodyPrefix)
            && routes.containsKey(endpoint);
    return inBody && !TRANSPORT_CODES.contains(reply.code())
        ? HttpResponseStatus.OK
        : reply.code().status;
  }

  /**
   * A handler and the values of its path's {@code {name}} segments; {@code raw} routes get their
   * body and headers as they came (their parameters are the query string's only).
   */
  record Routed(Handler handler, Map<String, String> pathParams, boolean raw) {}

  /** The handler for the request, or an {@link ApiException} saying why there is none. */
  Routed route(String method, String path) {
    Map<String, Handler> byMethod = routes.get(exact(path));
    if (byMethod != null) {
      Handler h = byMethod.get(method);
      if (h == null) {
        throw new MethodNotAllowed(method, path, String.join(", ", byMethod.keySet()));
      }
      return new Routed(h, Map.of(), isRaw(path));
    }
    String[] segments = Template.segments(path);
    Set<String> allowed = new TreeSet<>();
    for (Template x : matching(segments)) {
      Handler h = x.byMethod.get(method);
      if (h != null) {
        return new Routed(h, x.values(segments), isRaw(path));
      }
      allowed.addAll(x.byMethod.keySet());
    }
    if (!allowed.isEmpty()) {
      throw new MethodNotAllowed(method, path, String.join(", ", allowed));
    }
    throw new ApiException(Code.NOT_FOUND, "unknown path " + path);
  }

  /**
   * The templates that match, the most specific first: a literal segment beats a {@code {name}} at
   * the first position where they differ ({@code /eureka/{env}/apps/delta} before {@code
   * /eureka/{env}/apps/{app}}), then the order they were added.
   */
  private List<Template> matching(String[] segments) {
    List<Template> matching = new ArrayList<>();
    for (Template x : templates) {
      if (x.matches(segments)) {
        matching.add(x);
      }
    }
    matching.sort(Template.MOST_SPECIFIC_FIRST);
    return matching;
  }

  private boolean isRaw(String path) {
    return rawPrefix != null && (path + "/").startsWith(rawPrefix);
  }

  /**
   * The exact path a request names: under the raw prefix without a trailing slash ({@code
   * /eureka/apps/} is {@code /eureka/apps}: Eureka clients ask for the former); elsewhere as is
   * ({@code /discovery/fetch/} is no route, as in discovery).
   */
  private String exact(String path) {
    return isRaw(path) && path.length() > 1 && path.endsWith("/")
        ? path.substring(0, path.length() - 1)
        : path;
  }

  /** A path with {@code {name}} segments. */
  private static final class Template {
    final String path;
    final String[] parts;
    final Map<String, Handler> byMethod = new TreeMap<>();

    /** Stable: equally specific templates keep the order they were added. */
    static final Comparator<Template> MOST_SPECIFIC_FIRST =
        (a, b) -> {
          for (int i = 0; i < Math.min(a.parts.length, b.parts.length); i++) {
            boolean la = !isParam(a.parts[i]);
            boolean lb = !isParam(b.parts[i]);
            if (la != lb) {
              return la ? -1 : 1;
            }
          }
          return 0;
        };

    Template(String path) {
      this.path = path;
      this.parts = segments(path);
    }

    /** The segments of a path, without empty ones (a trailing slash), undecoded. */
    static String[] segments(String path) {
      return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    boolean matches(String[] segments) {
      if (segments.length != parts.length) {
        return false;
      }
      for (int i = 0; i < parts.length; i++) {
        if (!isParam(parts[i]) && !parts[i].equals(segments[i])) {
          return false;
        }
      }
      return true;
    }

    Map<String, String> values(String[] segments) {
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 0; i < parts.length; i++) {
        if (isParam(parts[i])) {
          values.put(parts[i].substring(1, parts[i].length() - 1), segments[i]);
        }
      }
      return values;
    }

    private static boolean isParam(String part) {
      return part.startsWith("{") && part.endsWith("}");
    }
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
