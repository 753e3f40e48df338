package dev.roster.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.command.CancelCommand;
import dev.roster.node.command.RegisterCommand;
import dev.roster.node.command.SetCommand;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import dev.roster.node.raft.RenewCoalescer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The {@code /discovery/*} writes: validation, then a Raft write through the {@link WriteGate}. */
final class RegistryWrites {
  private static final int MAX_ADDRS = 64;
  private static final int MAX_VALUE_LENGTH = 4096;

  /** Renew batches being committed at once; more pipeline, fewer per batch (see benchmarks.md). */
  static final int RENEW_BATCHES_IN_FLIGHT = 4;

  static final int MAX_RENEW_BATCH = 1024;

  private final WriteGate writes;
  private final RenewCoalescer renews;
  private final ObjectMapper json;

  /** {@code renews} is shared with the Eureka API: one batching of every renew. */
  RegistryWrites(WriteGate writes, RenewCoalescer renews, ObjectMapper json) {
    this.writes = writes;
    this.renews = renews;
    this.json = json;
  }

  void routes(Router router) {
    router
        .post("/discovery/register", this::register)
        .post("/discovery/renew", this::renew)
        .post("/discovery/cancel", this::cancel)
        .post("/discovery/set", this::set);
  }

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
    Status status = status(p);
    String version = p.optional("version");
    checkLength("version", version);
    Map<String, String> metadata = metadata("metadata", p.optional("metadata"));
    String region = p.optionalIdentifier("region");
    InstanceSpec spec =
        new InstanceSpec(region, zone, env, appid, hostname, addrs, version, status, metadata);
    return writes.submit(req, ts -> new RegisterCommand(ts, spec), r -> Reply.ok(r.value()));
  }

  /**
   * The instance a renew or cancel names; zone is accepted (Bilibili clients send it) but not
   * needed.
   */
  private static InstanceKey instanceKey(Params p) {
    p.optionalIdentifier("zone");
    return new InstanceKey(p.identifier("env"), p.identifier("appid"), p.identifier("hostname"));
  }

  private static ApiException notFound(InstanceKey k) {
    return new ApiException(
        Code.NOT_FOUND,
        "instance " + k.hostname() + " of " + k.appid() + " (env " + k.env() + ") not found");
  }

  CompletableFuture<Reply> renew(ApiRequest req) {
    InstanceKey i = instanceKey(req.params());
    // renews are gathered into batches on the leader (RenewCoalescer): same answer, fewer entries
    return writes.onLeader(
        req,
        ms ->
            renews
                .renew(i, ms)
                .thenApply(renewed -> renewed.map(Reply::ok).orElseThrow(() -> notFound(i))));
  }

  CompletableFuture<Reply> cancel(ApiRequest req) {
    InstanceKey i = instanceKey(req.params());
    return writes.submit(
        req,
        ts -> new CancelCommand(ts, i),
        r -> {
          if (!r.isOk()) {
            throw notFound(i);
          }
          return Reply.ok(null);
        });
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
      throw ApiException.badParam(
          "status", "or 'metadata' is required: a set must change something");
    }
    sameLength("status", statuses, hostnames);
    sameLength("metadata", metadatas, hostnames);
    List<SetChange> changes = new ArrayList<>(hostnames.size());
    for (int i = 0; i < hostnames.size(); i++) {
      Status status = statuses.isEmpty() ? null : parseStatus(statuses.get(i));
      Map<String, String> metadata =
          metadatas.isEmpty() ? null : metadata("metadata", metadatas.get(i));
      changes.add(new SetChange(hostnames.get(i), status, metadata));
    }
    return writes.submit(
        req,
        ts -> new SetCommand(ts, env, appid, changes),
        r -> {
          if (!r.isOk()) {
            throw new ApiException(
                Code.NOT_FOUND,
                "application "
                    + appid
                    + " (env "
                    + env
                    + ") or one of its hostnames "
                    + hostnames
                    + " not found; nothing changed");
          }
          return Reply.ok(null);
        });
  }

  private static Status status(Params p) {
    String v = p.optional("status");
    return v == null || v.isEmpty() ? Status.UP : parseStatus(v);
  }

  private static Status parseStatus(String v) {
    Integer s = Params.asciiInt(v);
    if (s != null && Status.isValid(s)) {
      return Status.ofCode(s);
    }
    throw ApiException.badParam("status", "must be 1 (up) or 2 (waiting), got '" + v + "'");
  }

  private static void sameLength(String name, List<String> values, List<String> hostnames) {
    if (!values.isEmpty() && values.size() != hostnames.size()) {
      throw ApiException.badParam(
          name,
          "has "
              + values.size()
              + " values for "
              + hostnames.size()
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
    JsonNode node =
        Params.readOneJsonValue(
            json.reader(), text, problem -> ApiException.badParam(name, problem));
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
