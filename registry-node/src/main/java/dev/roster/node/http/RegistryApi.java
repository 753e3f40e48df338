package dev.roster.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.command.CancelCommand;
import dev.roster.node.command.RegisterCommand;
import dev.roster.node.command.SetCommand;
import dev.roster.node.model.AppKey;
import dev.roster.node.model.Application;
import dev.roster.node.model.Fetch;
import dev.roster.node.model.Guard;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import dev.roster.node.raft.RaftRegistry;
import dev.roster.node.raft.Reads;
import dev.roster.node.raft.RenewCoalescer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The {@code /discovery/*} registry endpoints: validation, then a Raft write or a local read. */
public final class RegistryApi {
  private static final int MAX_ADDRS = 64;
  private static final int MAX_VALUE_LENGTH = 4096;

  private static final long MAX_HOLD_MS = 300_000;

  /** Renew batches being committed at once; more pipeline, fewer per batch (see benchmarks.md). */
  private static final int RENEW_BATCHES_IN_FLIGHT = 4;

  private static final int MAX_RENEW_BATCH = 1024;

  private final RaftRegistry raft;
  private final WriteGate writes;
  private final RenewCoalescer renews;
  private final PollHub polls;
  private final long defaultHoldMs;
  private final ObjectMapper json;
  private final FetchCache fetchCache;

  /** Marks a cache miss inside the read lock; never sent. */
  private static final Reply MISS = Reply.of(Code.INTERNAL, "cache miss");

  RegistryApi(
      RaftRegistry raft, WriteGate writes, PollHub polls, long defaultHoldMs, ObjectMapper json) {
    this.raft = raft;
    this.writes = writes;
    this.renews = new RenewCoalescer(raft, RENEW_BATCHES_IN_FLIGHT, MAX_RENEW_BATCH);
    this.polls = polls;
    this.defaultHoldMs = defaultHoldMs;
    this.json = json;
    this.fetchCache = new FetchCache(json);
  }

  void routes(Router router) {
    router
        .post("/discovery/register", this::register)
        .post("/discovery/renew", this::renew)
        .post("/discovery/cancel", this::cancel)
        .post("/discovery/set", this::set)
        .get("/discovery/fetch", this::fetch)
        .get("/discovery/fetchs", this::fetchs)
        .get("/discovery/poll", this::poll)
        .get("/discovery/polls", this::polls)
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

  CompletableFuture<Reply> fetch(ApiRequest req) {
    Params p = req.params();
    String appid = p.identifier("appid");
    String env = readEnv(p.identifier("env"), appid);
    String zone = p.optionalIdentifier("zone");
    int mask = statusMask(p);
    long latest = p.nonNegativeLong("latest_timestamp", 0);
    return readAfter(
        p,
        () -> {
          Reply r = fetchLocal(env, appid, zone, mask, latest);
          return r != null ? r : Reply.notModified();
        });
  }

  /**
   * This node's answer to a fetch: the instances (encoded once per application change, see {@link
   * FetchCache}), -404, or null when the caller is up to date.
   */
  private Reply fetchLocal(String env, String appid, String zone, int mask, long latest) {
    FetchCache.Key key = new FetchCache.Key(env, appid, zone, mask);
    Object[] miss = new Object[2];
    Reply reply =
        raft.stateMachine()
            .read(
                r -> {
                  Optional<Application> app = r.application(env, appid);
                  if (app.isEmpty()) {
                    return Reply.of(
                        Code.NOT_FOUND, "application " + appid + " (env " + env + ") not found");
                  }
                  if (latest >= app.get().latestTimestamp()) {
                    return null;
                  }
                  byte[] cached = fetchCache.get(key, app.get().version());
                  if (cached != null) {
                    return Reply.ok(new RawBody(RawBody.JSON, cached));
                  }
                  Fetch f = r.fetch(env, appid, zone, mask, latest);
                  miss[0] = new FetchData(f.instances(), f.latestTimestamp());
                  miss[1] = app.get().version();
                  return MISS;
                });
    if (reply != MISS) {
      return reply;
    }
    // encoded outside the lock: instances are immutable values
    return Reply.ok(new RawBody(RawBody.JSON, fetchCache.put(key, (Long) miss[1], miss[0])));
  }

  CompletableFuture<Reply> fetchs(ApiRequest req) {
    Params p = req.params();
    String env = p.identifier("env");
    List<String> appids = p.identifierList("appid");
    String zone = p.optionalIdentifier("zone");
    int mask = statusMask(p);
    return readAfter(
        p,
        () -> {
          Map<String, FetchData> data = new LinkedHashMap<>();
          raft.stateMachine()
              .read(
                  r -> {
                    for (String appid : appids) {
                      Fetch f = r.fetch(readEnv(env, appid), appid, zone, mask, 0);
                      if (f.outcome() == Fetch.Outcome.FOUND) {
                        data.put(appid, new FetchData(f.instances(), f.latestTimestamp()));
                      }
                    }
                    return null;
                  });
          return Reply.ok(data);
        });
  }

  /**
   * Answers at once when the application changed after the caller's latest_timestamp; otherwise
   * parks until it changes on this node or the hold time ends (-304). An application that does not
   * exist parks too, as in discovery: its clients poll for applications before they are deployed,
   * and a -404 at once would make them spin.
   */
  CompletableFuture<Reply> poll(ApiRequest req) {
    Params p = req.params();
    String appid = p.identifier("appid");
    String env = readEnv(p.identifier("env"), appid);
    p.optionalIdentifier("hostname");
    long latest = requiredTimestamp(p);
    long hold = hold(p);
    Supplier<Reply> evaluate =
        () -> {
          Reply r = fetchLocal(env, appid, null, Status.UP.code(), latest);
          return r == null || r.code() == Code.NOT_FOUND ? null : r;
        };
    return onceCaughtUp(() -> park(Set.of(new AppKey(appid, env)), evaluate, hold));
  }

  /**
   * Several applications in one poll, one latest_timestamp each. Answers as soon as any of them is
   * newer, with every application that is; applications that do not exist park like those with
   * nothing new (see {@link #poll}).
   */
  CompletableFuture<Reply> polls(ApiRequest req) {
    Params p = req.params();
    String env = p.identifier("env");
    List<String> appids = p.identifierList("appid");
    p.optionalIdentifier("hostname");
    List<String> latests = p.list("latest_timestamp");
    if (latests.size() != appids.size()) {
      throw ApiException.badParam(
          "latest_timestamp",
          "needs exactly one value per appid: got "
              + latests.size()
              + " for "
              + appids.size()
              + " appids");
    }
    if (new HashSet<>(appids).size() != appids.size()) {
      throw ApiException.badParam("appid", "lists the same appid twice");
    }
    long[] since = new long[appids.size()];
    for (int i = 0; i < since.length; i++) {
      since[i] = Params.parseNonNegativeLong("latest_timestamp", latests.get(i));
    }
    long hold = hold(p);
    Supplier<Reply> evaluate =
        () ->
            raft.stateMachine()
                .read(
                    r -> {
                      Map<String, FetchData> changed = new LinkedHashMap<>();
                      for (int i = 0; i < since.length; i++) {
                        String appid = appids.get(i);
                        Fetch f =
                            r.fetch(readEnv(env, appid), appid, null, Status.UP.code(), since[i]);
                        if (f.outcome() == Fetch.Outcome.FOUND) {
                          changed.put(appid, new FetchData(f.instances(), f.latestTimestamp()));
                        }
                      }
                      return changed.isEmpty() ? null : Reply.ok(changed);
                    });
    Set<AppKey> keys = new HashSet<>();
    appids.forEach(a -> keys.add(new AppKey(a, readEnv(env, a))));
    return onceCaughtUp(() -> park(keys, evaluate, hold));
  }

  private CompletableFuture<Reply> park(Set<AppKey> keys, Supplier<Reply> evaluate, long hold) {
    Reply now = evaluate.get();
    if (now != null || hold == 0) {
      return CompletableFuture.completedFuture(now != null ? now : Reply.notModified());
    }
    return polls.park(keys, evaluate, hold, Reply::notModified);
  }

  /**
   * The env a read of {@code appid} looks in. The nodes' own application is in every env, as
   * discovery's Go client expects: its {@code New()} waits for {@value PeerDirectory#APPID} in the
   * client's own env and blocks until it is there. Polls park on the env read, so a change of the
   * nodes wakes their polls in every env.
   */
  private static String readEnv(String env, String appid) {
    return PeerDirectory.APPID.equals(appid) ? PeerDirectory.ENV : env;
  }

  private static long requiredTimestamp(Params p) {
    if (!p.has("latest_timestamp")) {
      throw ApiException.badParam("latest_timestamp", "is required (0 = send what you have)");
    }
    return p.nonNegativeLong("latest_timestamp", 0);
  }

  private long hold(Params p) {
    long hold = p.nonNegativeLong("hold", defaultHoldMs);
    if (hold > MAX_HOLD_MS) {
      throw ApiException.badParam("hold", "must be at most " + MAX_HOLD_MS + " ms, got " + hold);
    }
    return hold;
  }

  CompletableFuture<Reply> status(ApiRequest req) {
    return CompletableFuture.completedFuture(
        Reply.ok(
            raft.stateMachine()
                .read(
                    r -> {
                      Guard g = r.guard();
                      Map<String, Object> s = new LinkedHashMap<>();
                      s.put("instances", r.instanceCount());
                      s.put("guarded_instances", r.guardedInstanceCount());
                      s.put("applications", r.applicationCount());
                      s.put("expected_renews", r.expectedRenews());
                      s.put("threshold", r.renewThreshold());
                      s.put("renews_last_window", g.renewsLastWindow());
                      s.put("renews_this_window", g.renewsThisWindow());
                      s.put("protect_threshold", g.policy().threshold());
                      s.put("protected", r.protecting());
                      return s;
                    })));
  }

  /**
   * Runs a read locally, after a readIndex round when the caller asked for {@code consistent}; on a
   * node that has not caught up since it started, after it has (see {@link Reads#caughtUp()}).
   */
  private CompletableFuture<Reply> readAfter(Params p, Supplier<Reply> read) {
    if (p.bool("consistent", false)) {
      return raft.reads().readIndex(writes.budgetMs()).thenApply(v -> read.get());
    }
    return onceCaughtUp(() -> CompletableFuture.completedFuture(read.get()));
  }

  /**
   * Starts {@code read} at once on a node that has caught up since it started, and otherwise once
   * it has (or fails with -503, see {@link Reads#awaitCaughtUp}). Cancelling the result — the
   * client went away — cancels what {@code read} started, so a parked poll frees its slot.
   */
  private CompletableFuture<Reply> onceCaughtUp(Supplier<CompletableFuture<Reply>> read) {
    if (raft.reads().caughtUp()) {
      return read.get();
    }
    CompletableFuture<Reply> result = new CompletableFuture<>();
    raft.reads()
        .awaitCaughtUp(writes.budgetMs())
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
                return;
              }
              if (result.isDone()) {
                return;
              }
              try {
                CompletableFuture<Reply> started = read.get();
                result.whenComplete((r, x) -> started.cancel(false));
                started.whenComplete(
                    (r, x) -> {
                      if (x != null) {
                        result.completeExceptionally(x);
                      } else {
                        result.complete(r);
                      }
                    });
              } catch (RuntimeException x) {
                result.completeExceptionally(x);
              }
            });
    return result;
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

  private static int statusMask(Params p) {
    int mask = p.intParam("status", Status.UP.code());
    if (!Status.isValidMask(mask)) {
      throw ApiException.badParam(
          "status", "must be a bitmask 1 (up), 2 (waiting) or 3 (both), got " + mask);
    }
    return mask;
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
