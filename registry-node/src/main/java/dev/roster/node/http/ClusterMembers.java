package dev.roster.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.cluster.PeerLink;
import dev.roster.node.raft.NodeId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code GET /cluster/members}: every member as it reports itself, gathered by this node. It asks
 * each other member's {@code /cluster/status} (at most {@link #TIMEOUT} each, all at once), adds
 * the leader's view (how long ago each member last answered it) and each member's lag behind the
 * leader's log. A member that does not answer is listed as unreachable, with why.
 */
final class ClusterMembers {
  static final Duration TIMEOUT = Duration.ofMillis(500);

  private final Supplier<Map<String, Object>> localStatus;
  private final PeerLink link;
  private final PeerDirectory directory;
  private final ObjectMapper json;
  private final HttpClient http;

  /**
   * @param localStatus this node's {@code /cluster/status} data
   */
  ClusterMembers(
      Supplier<Map<String, Object>> localStatus,
      PeerDirectory directory,
      ObjectMapper json,
      PeerLink link) {
    this.link = link;
    this.http = link.client(TIMEOUT);
    this.localStatus = localStatus;
    this.directory = directory;
    this.json = json;
  }

  CompletableFuture<Reply> members(ApiRequest req) {
    Map<String, Object> self = localStatus.get();
    String selfId = (String) self.get("id");
    TreeSet<String> ids = new TreeSet<>();
    ids.add(selfId);
    ids.addAll(strings(self.get("peers")));
    ids.addAll(strings(self.get("learners")));
    boolean inside = directory.reachedInside(req.host());
    List<CompletableFuture<Map<String, Object>>> asked = new ArrayList<>();
    for (String id : ids) {
      if (id.equals(selfId)) {
        asked.add(CompletableFuture.completedFuture(self));
      } else {
        asked.add(ask(id));
      }
    }
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              List<Map<String, Object>> statuses = asked.stream().map(f -> f.join()).toList();
              return Reply.ok(combine(selfId, new ArrayList<>(ids), statuses, inside));
            });
  }

  /** A member's status, or a map saying why there is none; never fails. */
  private CompletableFuture<Map<String, Object>> ask(String id) {
    Optional<String> url = directory.httpAddressOf(NodeId.parse(id), true);
    if (url.isEmpty()) {
      return CompletableFuture.completedFuture(unreachable("has not announced its HTTP address"));
    }
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url.get() + "/cluster/status"))
            .timeout(TIMEOUT)
            .header("Accept", "application/json");
    HttpRequest request = link.authorized(builder).GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            response -> {
              try {
                JsonNode data = json.readTree(response.body()).path("data");
                if (!data.isObject()) {
                  return unreachable("answered HTTP " + response.statusCode() + " without status");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> status = json.convertValue(data, Map.class);
                return status;
              } catch (Exception e) {
                return unreachable("answered something other than its status");
              }
            })
        .exceptionally(
            e -> {
              Throwable cause = e.getCause() != null ? e.getCause() : e;
              return unreachable(
                  cause instanceof java.net.http.HttpTimeoutException
                      ? "no answer within " + TIMEOUT.toMillis() + " ms"
                      : "cannot be reached: " + cause.getClass().getSimpleName());
            });
  }

  private static Map<String, Object> unreachable(String why) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("unreachable", why);
    return m;
  }

  private Map<String, Object> combine(
      String selfId, List<String> ids, List<Map<String, Object>> statuses, boolean inside) {
    // the leader as the members that answer see it, the highest term first
    Map<String, Object> leader = null;
    for (Map<String, Object> s : statuses) {
      if ("leader".equals(s.get("role"))
          && (leader == null || number(s.get("term")) > number(leader.get("term")))) {
        leader = s;
      }
    }
    Map<String, Object> contact = leader == null ? Map.of() : map(leader.get("last_contact_ms"));
    List<Map<String, Object>> members = new ArrayList<>();
    long term = 0;
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      Map<String, Object> s = statuses.get(i);
      boolean reachable = !s.containsKey("unreachable");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put(
          "http",
          reachable && id.equals(selfId)
              ? s.get("http")
              : directory.httpAddressOf(NodeId.parse(id), inside).orElse(null));
      m.put("self", id.equals(selfId));
      m.put("reachable", reachable);
      m.put("role", reachable ? s.get("role") : "unknown");
      m.put("term", reachable ? s.get("term") : null);
      m.put("last_log_index", reachable ? s.get("last_log_index") : null);
      m.put("committed_index", reachable ? s.get("committed_index") : null);
      m.put("applied_index", reachable ? s.get("applied_index") : null);
      m.put(
          "lag",
          reachable && leader != null
              ? Math.max(0, number(leader.get("last_log_index")) - number(s.get("last_log_index")))
              : null);
      Object ago = s == leader ? Long.valueOf(0) : contact.get(id);
      m.put("last_contact_ms", ago);
      m.put("ready", reachable && Boolean.TRUE.equals(s.get("ready")));
      m.put("error", reachable ? s.get("error") : s.get("unreachable"));
      members.add(m);
      if (reachable) {
        term = Math.max(term, number(s.get("term")));
      }
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("self", selfId);
    data.put("leader", leader == null ? null : leader.get("id"));
    data.put("term", term);
    data.put("members", members);
    return data;
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> list) {
      list.forEach(x -> out.add(String.valueOf(x)));
    }
    return out;
  }
}
