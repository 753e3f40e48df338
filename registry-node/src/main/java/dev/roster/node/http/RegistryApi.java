package dev.roster.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.CancelCommand;
import dev.roster.node.command.RegisterCommand;
import dev.roster.node.command.RenewCommand;
import dev.roster.node.command.SetCommand;
import dev.roster.node.model.Fetch;
import dev.roster.node.model.Guard;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import dev.roster.node.raft.RaftRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** The {@code /discovery/*} registry endpoints: validation, then a Raft write or a local read. */
public final class RegistryApi {
  private static final int MAX_ADDRS = 64;
  private static final int MAX_VALUE_LENGTH = 4096;

  private final RaftRegistry raft;
  private final WriteGate writes;
  private final ObjectMapper json;

  RegistryApi(RaftRegistry raft, WriteGate writes, ObjectMapper json) {
    this.raft = raft;
    this.writes = writes;
    this.json = json;
  }

  void routes(Router router) {
    router.post("/discovery/register", this::register)
        .post("/discovery/renew", this::renew)
        .post("/discovery/cancel", this::cancel)
        .post("/discovery/set", this::set)
        .get("/discovery/fetch", this::fetch)
        .get("/discovery/fetchs", this::fetchs)
        .get("/discovery/status", this::status);
  }

  /** The {@code data} of a fetch: instances by zone and the application's latest_timestamp. */
  public record FetchData(Map<String, List<Instance>> instances, long latestTimestamp) {}

  CompletableFuture<Reply> register(ApiRequest req) {
    Params p = req.params();
    String zone = p.identifier("zone");
    String env = p.identifier("env");
    String appid = p.identifier("appid");
    String hostname = p.identifier("hostname");
    List<String> addrs = p.requiredList("addrs");
    if (addrs.size() > MAX_ADDRS) {
      throw ApiException.badParam("addrs", "has more than " + MAX_ADDRS + " values");
    }
    addrs.forEach(a -> checkLength("addrs", a));
    int status = status(p);
    String version = p.optional("version");
    checkLength("version", version);
    Map<String, String> metadata = metadata("metadata", p.optional("metadata"));
    InstanceSpec spec = new InstanceSpec(zone, env, appid, hostname, addrs, version, status, metadata);
    return writes.submit(req, ts -> new RegisterCommand(ts, spec), r -> Reply.ok(r.value()));
  }

  CompletableFuture<Reply> renew(ApiRequest req) {
    Params p = req.params();
    p.optionalIdentifier("zone");
    String env = p.identifier("env");
    String appid = p.identifier("appid");
    String hostname = p.identifier("hostname");
    return writes.submit(req, ts -> new RenewCommand(ts, env, appid, hostname),
        found(r -> Reply.ok(r.value()), appid, env, hostname));
  }

  CompletableFuture<Reply> cancel(ApiRequest req) {
    Params p = req.params();
    p.optionalIdentifier("zone");
    String env = p.identifier("env");
    String appid = p.identifier("appid");
    String hostname = p.identifier("hostname");
    return writes.submit(req, ts -> new CancelCommand(ts, env, appid, hostname),
        found(r -> Reply.ok(null), appid, env, hostname));
  }

  CompletableFuture<Reply> set(ApiRequest req) {
    Params p = req.params();
    p.optionalIdentifier("zone");
    String env = p.identifier("env");
    String appid = p.identifier("appid");
    List<String> hostnames = p.identifierList("hostname");
    Set<String> unique = new HashSet<>(hostnames);
    if (unique.size() != hostnames.size()) {
      throw ApiException.badParam("hostname", "lists the same hostname twice");
    }
    List<String> statuses = p.list("status");
    List<String> metadatas = p.list("metadata");
    if (statuses.isEmpty() && metadatas.isEmpty()) {
      throw ApiException.badParam("status", "or 'metadata' is required: a set must change something");
    }
    sameLength("status", statuses, hostnames);
    sameLength("metadata", metadatas, hostnames);
    List<SetChange> changes = new ArrayList<>(hostnames.size());
    for (int i = 0; i < hostnames.size(); i++) {
      Integer status = statuses.isEmpty() ? null : parseStatus(statuses.get(i));
      Map<String, String> metadata = metadatas.isEmpty() ? null : metadata("metadata", metadatas.get(i));
      changes.add(new SetChange(hostnames.get(i), status, metadata));
    }
    return writes.submit(req, ts -> new SetCommand(ts, env, appid, changes), r -> {
      if (!r.isOk()) {
        throw new ApiException(Code.NOT_FOUND,
            "application " + appid + " (env " + env + ") or one of its hostnames " + hostnames + " not found; nothing changed");
      }
      return Reply.ok(null);
    });
  }

  CompletableFuture<Reply> fetch(ApiRequest req) {
    Params p = req.params();
    String env = p.identifier("env");
    String appid = p.identifier("appid");
    String zone = p.optionalIdentifier("zone");
    int mask = statusMask(p);
    long latest = p.nonNegativeLong("latest_timestamp", 0);
    return readAfter(p, () -> {
      Fetch f = raft.stateMachine().read(r -> r.fetch(env, appid, zone, mask, latest));
      return switch (f.outcome()) {
        case FOUND -> Reply.ok(new FetchData(f.instances(), f.latestTimestamp()));
        case NOT_MODIFIED -> Reply.notModified();
        case NOT_FOUND -> Reply.of(Code.NOT_FOUND, "application " + appid + " (env " + env + ") not found");
      };
    });
  }

  CompletableFuture<Reply> fetchs(ApiRequest req) {
    Params p = req.params();
    String env = p.identifier("env");
    List<String> appids = p.identifierList("appid");
    String zone = p.optionalIdentifier("zone");
    int mask = statusMask(p);
    return readAfter(p, () -> {
      Map<String, FetchData> data = new LinkedHashMap<>();
      raft.stateMachine().read(r -> {
        for (String appid : appids) {
          Fetch f = r.fetch(env, appid, zone, mask, 0);
          if (f.outcome() == Fetch.Outcome.FOUND) {
            data.put(appid, new FetchData(f.instances(), f.latestTimestamp()));
          }
        }
        return null;
      });
      return Reply.ok(data);
    });
  }

  CompletableFuture<Reply> status(ApiRequest req) {
    return CompletableFuture.completedFuture(Reply.ok(raft.stateMachine().read(r -> {
      Guard g = r.guard();
      long n = r.instanceCount();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("instances", n);
      s.put("applications", r.applicationCount());
      s.put("expected_renews", g.expectedRenews(n));
      s.put("threshold", g.threshold(n));
      s.put("renews_last_window", g.renewsLastWindow());
      s.put("renews_this_window", g.renewsThisWindow());
      s.put("protect_threshold", g.policy().threshold());
      s.put("protected", g.protecting(n));
      return s;
    })));
  }

  /** Runs a read locally, after a readIndex round when the caller asked for {@code consistent}. */
  private CompletableFuture<Reply> readAfter(Params p, java.util.function.Supplier<Reply> read) {
    if (p.bool("consistent", false)) {
      return raft.readIndex(writes.budgetMs()).thenApply(v -> read.get());
    }
    return CompletableFuture.completedFuture(read.get());
  }

  private static Function<ApplyResult, Reply> found(
      Function<ApplyResult, Reply> ok, String appid, String env, String hostname) {
    return r -> {
      if (!r.isOk()) {
        throw new ApiException(Code.NOT_FOUND,
            "instance " + hostname + " of " + appid + " (env " + env + ") not found");
      }
      return ok.apply(r);
    };
  }

  private static int status(Params p) {
    String v = p.optional("status");
    return v == null || v.isEmpty() ? Status.UP : parseStatus(v);
  }

  private static int parseStatus(String v) {
    try {
      int s = Integer.parseInt(v.trim());
      if (Status.isValid(s)) {
        return s;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw ApiException.badParam("status", "must be 1 (up) or 2 (waiting), got '" + v + "'");
  }

  private static int statusMask(Params p) {
    int mask = p.intParam("status", Status.UP);
    if (!Status.isValidMask(mask)) {
      throw ApiException.badParam("status", "must be a bitmask 1 (up), 2 (waiting) or 3 (both), got " + mask);
    }
    return mask;
  }

  private static void sameLength(String name, List<String> values, List<String> hostnames) {
    if (!values.isEmpty() && values.size() != hostnames.size()) {
      throw ApiException.badParam(name, "has " + values.size() + " values for " + hostnames.size()
          + " hostnames (give one per hostname)");
    }
  }

  private static void checkLength(String name, String v) {
    if (v != null && v.length() > MAX_VALUE_LENGTH) {
      throw ApiException.badParam(name, "is longer than " + MAX_VALUE_LENGTH + " characters");
    }
  }

  /** Metadata: a JSON object of string values (numbers and booleans are taken as their text). */
  private Map<String, String> metadata(String name, String text) {
    if (text == null || text.isBlank()) {
      return Map.of();
    }
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw ApiException.badParam(name, "is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badParam(name, "must be a JSON object of string values");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.isValueNode() || v.isNull()) {
        throw ApiException.badParam(name, "value of '" + e.getKey() + "' must be a string");
      }
      m.put(e.getKey(), v.asText());
    }
    return m;
  }
}
