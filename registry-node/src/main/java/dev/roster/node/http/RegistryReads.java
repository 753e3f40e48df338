package dev.roster.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.model.Application;
import dev.roster.node.model.Fetch;
import dev.roster.node.model.Guard;
import dev.roster.node.model.Instance;
import dev.roster.node.model.RegistryView;
import dev.roster.node.model.Status;
import dev.roster.node.raft.RaftRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The {@code /discovery/*} reads: validation, then a local read through the {@link ReadGate}. */
public final class RegistryReads {
  private final RaftRegistry raft;
  private final ReadGate gate;
  private final FetchCache fetchCache;

  /** Marks a cache miss inside the read lock; never sent. */
  private static final Reply MISS = Reply.of(Code.INTERNAL, "cache miss");

  RegistryReads(RaftRegistry raft, ReadGate gate, ObjectMapper json) {
    this.raft = raft;
    this.gate = gate;
    this.fetchCache = new FetchCache(json);
  }

  void routes(Router router) {
    router
        .get("/discovery/fetch", this::fetch)
        .get("/discovery/fetchs", this::fetchs)
        .get("/discovery/status", this::status);
  }

  /** The {@code data} of a fetch: instances by zone and the application's latest_timestamp. */
  public record FetchData(Map<String, List<Instance>> instances, long latestTimestamp) {}

  CompletableFuture<Reply> fetch(ApiRequest req) {
    Params p = req.params();
    String appid = p.identifier("appid");
    String env = readEnv(p.identifier("env"), appid);
    String zone = p.optionalIdentifier("zone");
    int mask = statusMask(p);
    long latest = p.nonNegativeLong("latest_timestamp", 0);
    return gate.after(
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
  Reply fetchLocal(String env, String appid, String zone, int mask, long latest) {
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
    return gate.after(
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

  CompletableFuture<Reply> status(ApiRequest req) {
    return CompletableFuture.completedFuture(
        Reply.ok(
            raft.stateMachine()
                .read(
                    r -> {
                      Map<String, Object> s = new LinkedHashMap<>();
                      s.put("instances", r.instanceCount());
                      s.put("guarded_instances", r.guardedInstanceCount());
                      s.put("applications", r.applicationCount());
                      putRenewCounters(s, r);
                      s.put("protected", r.protecting());
                      return s;
                    })));
  }

  /**
   * Self-protection's numbers, shared by {@code /discovery/status} and the console's protection
   * view: the renews expected, the threshold under which protection starts, and the two windows.
   */
  static void putRenewCounters(Map<String, Object> s, RegistryView r) {
    Guard g = r.guard();
    s.put("expected_renews", r.expectedRenews());
    s.put("threshold", r.renewThreshold());
    s.put("renews_last_window", g.renewsLastWindow());
    s.put("renews_this_window", g.renewsThisWindow());
    s.put("protect_threshold", g.policy().threshold());
  }

  /**
   * The env a read of {@code appid} looks in. The nodes' own application is in every env, as
   * discovery's Go client expects: its {@code New()} waits for {@value PeerDirectory#APPID} in the
   * client's own env and blocks until it is there. Polls park on the env read, so a change of the
   * nodes wakes their polls in every env.
   */
  static String readEnv(String env, String appid) {
    return PeerDirectory.APPID.equals(appid) ? PeerDirectory.ENV : env;
  }

  private static int statusMask(Params p) {
    int mask = p.intParam("status", Status.UP.code());
    if (!Status.isValidMask(mask)) {
      throw ApiException.badParam(
          "status", "must be a bitmask 1 (up), 2 (waiting) or 3 (both), got " + mask);
    }
    return mask;
  }
}
