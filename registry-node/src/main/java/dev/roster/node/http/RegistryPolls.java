package dev.roster.node.http;

import dev.roster.node.model.AppKey;
import dev.roster.node.model.Fetch;
import dev.roster.node.model.Status;
import dev.roster.node.raft.RaftRegistry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The {@code /discovery/*} long polls: validation, then an answer now or a parked request. */
final class RegistryPolls {
  private static final long MAX_HOLD_MS = 300_000;

  private final RaftRegistry raft;
  private final ReadGate gate;
  private final RegistryReads reads;
  private final PollHub polls;
  private final long defaultHoldMs;

  RegistryPolls(
      RaftRegistry raft, ReadGate gate, RegistryReads reads, PollHub polls, long defaultHoldMs) {
    this.raft = raft;
    this.gate = gate;
    this.reads = reads;
    this.polls = polls;
    this.defaultHoldMs = defaultHoldMs;
  }

  void routes(Router router) {
    router.get("/discovery/poll", this::poll).get("/discovery/polls", this::polls);
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
    String env = RegistryReads.readEnv(p.identifier("env"), appid);
    p.optionalIdentifier("hostname");
    long latest = requiredTimestamp(p);
    long hold = hold(p);
    Supplier<Reply> evaluate =
        () -> {
          Reply r = reads.fetchLocal(env, appid, null, Status.UP.code(), latest);
          return r == null || r.code() == Code.NOT_FOUND ? null : r;
        };
    return gate.onceCaughtUp(() -> park(Set.of(new AppKey(env, appid)), evaluate, hold));
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
                      Map<String, RegistryReads.FetchData> changed = new LinkedHashMap<>();
                      for (int i = 0; i < since.length; i++) {
                        String appid = appids.get(i);
                        Fetch f =
                            r.fetch(
                                RegistryReads.readEnv(env, appid),
                                appid,
                                null,
                                Status.UP.code(),
                                since[i]);
                        if (f.outcome() == Fetch.Outcome.FOUND) {
                          changed.put(
                              appid,
                              new RegistryReads.FetchData(f.instances(), f.latestTimestamp()));
                        }
                      }
                      return changed.isEmpty() ? null : Reply.ok(changed);
                    });
    Set<AppKey> keys = new HashSet<>();
    appids.forEach(a -> keys.add(new AppKey(RegistryReads.readEnv(env, a), a)));
    return gate.onceCaughtUp(() -> park(keys, evaluate, hold));
  }

  private CompletableFuture<Reply> park(Set<AppKey> keys, Supplier<Reply> evaluate, long hold) {
    Reply now = evaluate.get();
    if (now != null || hold == 0) {
      return CompletableFuture.completedFuture(now != null ? now : Reply.notModified());
    }
    return polls.park(keys, evaluate, hold, Reply::notModified);
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
}
