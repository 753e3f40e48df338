package dev.roster.node.http;

import dev.roster.node.command.CancelCommand;
import dev.roster.node.command.EurekaRegisterCommand;
import dev.roster.node.command.EurekaStatusCommand;
import dev.roster.node.command.SetCommand;
import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.SetChange;
import dev.roster.node.raft.RaftRegistry;
import dev.roster.node.raft.RenewCoalescer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Eureka's writes: register (204), renew, cancel, status override and metadata (200, or 404 when
 * the instance is unknown). Each is a Raft entry like a discovery write; a follower forwards it to
 * the leader and answers what the leader answered, because Eureka clients follow no redirect.
 */
final class EurekaWrites {
  private final RaftRegistry raft;
  private final WriteGate writes;
  private final RenewCoalescer renews;
  private final LeaderForwarder forwarder;
  private final EurekaRoutes paths;
  private final EurekaJson json;
  private final String zone;

  /**
   * @param zone the zone of an instance whose metadata names none
   */
  EurekaWrites(
      RaftRegistry raft,
      WriteGate writes,
      RenewCoalescer renews,
      LeaderForwarder forwarder,
      EurekaRoutes paths,
      EurekaJson json,
      String zone) {
    this.raft = raft;
    this.writes = writes;
    this.renews = renews;
    this.forwarder = forwarder;
    this.paths = paths;
    this.json = json;
    this.zone = zone;
  }

  void routes(Router router) {
    for (String root : EurekaRoutes.ROOTS) {
      router
          .post(root + "/apps/{app}", this::register)
          .put(root + "/apps/{app}/{id}", this::renew)
          .delete(root + "/apps/{app}/{id}", this::cancel)
          .put(root + "/apps/{app}/{id}/status", this::override)
          .delete(root + "/apps/{app}/{id}/status", this::deleteOverride)
          .put(root + "/apps/{app}/{id}/metadata", this::metadata);
    }
  }

  CompletableFuture<Reply> register(ApiRequest req) {
    InstanceSpec spec = json.readRegister(req.body(), paths.env(req), req.pathParam("app"), zone);
    return writes.submit(
        req, ts -> new EurekaRegisterCommand(ts, spec), r -> noContent(), forwarder::forward);
  }

  /**
   * A heartbeat. 404 (the client registers again at once) when the instance is unknown, and when
   * the client's {@code lastDirtyTimestamp} is newer than the one registered: an update whose
   * register was lost then reaches the registry, as on a Eureka server. The {@code status}
   * parameter is ignored, as Eureka's server ignores it: statuses change by registering.
   */
  CompletableFuture<Reply> renew(ApiRequest req) {
    InstanceKey key = key(req);
    Long clientDirty = optionalMillis(req.params(), "lastDirtyTimestamp");
    return writes.onLeader(
        req,
        ms -> {
          // the renew's apply decides "unknown"; this node's copy, which a new leader may still
          // be catching up, only decides "newer" (an instance it does not have yet is renewed)
          Optional<Instance> current = raft.stateMachine().read(r -> r.instance(key));
          if (current.isPresent() && newer(clientDirty, current.get())) {
            return CompletableFuture.completedFuture(notFound());
          }
          return renews
              .renew(key, ms)
              .thenApply(renewed -> renewed.isPresent() ? ok() : notFound());
        },
        forwarder::forward);
  }

  private static boolean newer(Long clientDirty, Instance current) {
    if (clientDirty == null) {
      return false;
    }
    String stored = current.extensions().get(EurekaFields.LAST_DIRTY_TIMESTAMP);
    Long registered = stored == null ? null : Params.asciiLong(stored);
    return registered != null && clientDirty > registered;
  }

  CompletableFuture<Reply> cancel(ApiRequest req) {
    InstanceKey key = key(req);
    return writes.submit(
        req,
        ts -> new CancelCommand(ts, key),
        r -> r.isOk() ? ok() : notFound(),
        forwarder::forward);
  }

  /** {@code PUT .../status?value=OUT_OF_SERVICE}: an override that wins until it is deleted. */
  CompletableFuture<Reply> override(ApiRequest req) {
    InstanceKey key = key(req);
    String value = req.params().optional("value");
    if (value == null || value.isBlank()) {
      throw ApiException.badParam("value", "is required: the status to override with");
    }
    String status = EurekaJson.status(value, null);
    if (!status.equalsIgnoreCase(value)) {
      throw ApiException.badParam(
          "value",
          "must be one of " + new TreeSet<>(EurekaJson.STATUSES) + ", got '" + value + "'");
    }
    return writes.submit(
        req,
        ts -> new EurekaStatusCommand(ts, key, status),
        r -> r.isOk() ? ok() : notFound(),
        forwarder::forward);
  }

  /** {@code DELETE .../status}: the client's own status applies again. */
  CompletableFuture<Reply> deleteOverride(ApiRequest req) {
    InstanceKey key = key(req);
    return writes.submit(
        req,
        ts -> new EurekaStatusCommand(ts, key, null),
        r -> r.isOk() ? ok() : notFound(),
        forwarder::forward);
  }

  /**
   * {@code PUT .../metadata?k=v}: adds or replaces those entries (no client sends it; operators
   * do). The merge reads the leader's state, then writes the whole map: a concurrent register in
   * between wins.
   */
  CompletableFuture<Reply> metadata(ApiRequest req) {
    InstanceKey key = key(req);
    Map<String, String> entries = new LinkedHashMap<>();
    for (String name : req.params().names()) {
      entries.put(name, req.params().optional(name));
    }
    return writes.onLeader(
        req,
        ms -> {
          Optional<Instance> current = raft.stateMachine().read(r -> r.instance(key));
          if (current.isEmpty()) {
            return CompletableFuture.completedFuture(notFound());
          }
          Map<String, String> merged = new LinkedHashMap<>(current.get().metadata());
          merged.putAll(entries);
          SetChange change = new SetChange(key.hostname(), null, merged);
          return raft.writes()
              .propose(ts -> new SetCommand(ts, key.env(), key.appid(), List.of(change)), ms)
              .thenApply(r -> r.isOk() ? ok() : notFound());
        },
        forwarder::forward);
  }

  private InstanceKey key(ApiRequest req) {
    String appid = EurekaJson.appid(Params.checkIdentifier("app", req.pathParam("app")));
    String id = Params.checkIdentifier("id", req.pathParam("id"));
    return new InstanceKey(paths.env(req), appid, id);
  }

  private static Long optionalMillis(Params p, String name) {
    String v = p.optional(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    Long ms = Params.asciiLong(v);
    if (ms == null || ms < 0) {
      throw ApiException.badParam(name, "must be a number of milliseconds, got '" + v + "'");
    }
    return ms;
  }

  static Reply ok() {
    return Reply.ok(new RawBody(null, new byte[0], 200));
  }

  static Reply noContent() {
    return Reply.ok(new RawBody(null, new byte[0], 204));
  }

  /** 404 with an empty body: the Eureka client ignores the body of a 404. */
  static Reply notFound() {
    return Reply.ok(new RawBody(null, new byte[0], 404));
  }
}
