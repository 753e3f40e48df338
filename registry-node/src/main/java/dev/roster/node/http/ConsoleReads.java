package dev.roster.node.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.roster.node.model.Application;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.Instance;
import dev.roster.node.model.RecentChanges;
import dev.roster.node.model.RegistryView;
import dev.roster.node.raft.RaftRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The reads an operator's page needs and discovery has not: applications and instances a page at a
 * time (a registry of 100 000 instances is never sent whole), self-protection with its history, the
 * eviction log and the recent changes. Local reads of this node's state, like {@code
 * /discovery/status}; every node answers them.
 */
final class ConsoleReads {
  static final int DEFAULT_PAGE = 50;
  static final int MAX_PAGE = 500;
  static final int MAX_LOG_PAGE = 1000;

  private static final Comparator<Application> APP_ORDER =
      Comparator.comparing((Application a) -> a.key().env()).thenComparing(a -> a.key().appid());

  private final RaftRegistry raft;
  private final Api.LeaseSettings lease;

  ConsoleReads(RaftRegistry raft, Api.LeaseSettings lease) {
    this.raft = raft;
    this.lease = lease;
  }

  void routes(Router router) {
    router
        .get("/discovery/apps", this::apps)
        .get("/discovery/instances", this::instances)
        .get("/discovery/protection", this::protection)
        .get("/discovery/evictions", this::evictions)
        .get("/discovery/changes", this::changes);
  }

  record EnvSummary(String env, int applications, long instances) {}

  record AppSummary(
      String env,
      String appid,
      int instances,
      Map<String, Integer> statuses,
      Map<String, Integer> zones,
      long latestTimestamp) {}

  record Page<T>(int total, int offset, int limit, T items) {}

  private CompletableFuture<Reply> apps(ApiRequest req) {
    Params p = req.params();
    String env = p.optionalIdentifier("env");
    String q = lower(p.optional("q"));
    int offset = offset(p);
    int limit = limit(p, "limit", DEFAULT_PAGE, MAX_PAGE);
    return read(
        r -> {
          Map<String, long[]> envs = new TreeMap<>();
          List<Application> matching = new ArrayList<>();
          for (Application app : r.applications()) {
            long[] e = envs.computeIfAbsent(app.key().env(), k -> new long[2]);
            e[0]++;
            e[1] += app.size();
            if ((env == null || env.equals(app.key().env()))
                && (q == null || lower(app.key().appid()).contains(q))) {
              matching.add(app);
            }
          }
          matching.sort(APP_ORDER);
          // counted only for the page's applications: a page costs its own instances, whatever
          // the size of the registry
          List<AppSummary> page = new ArrayList<>();
          for (Application app : window(matching, offset, limit)) {
            page.add(summary(app));
          }
          List<EnvSummary> envList = new ArrayList<>();
          envs.forEach((k, v) -> envList.add(new EnvSummary(k, (int) v[0], v[1])));
          return ordered(
              "total", matching.size(),
              "offset", offset,
              "limit", limit,
              "envs", envList,
              "apps", page);
        });
  }

  private static AppSummary summary(Application app) {
    Map<String, Integer> statuses = new TreeMap<>();
    Map<String, Integer> zones = new TreeMap<>();
    for (Instance i : app.instances()) {
      statuses.merge(i.status().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
      zones.merge(i.zone(), 1, Integer::sum);
    }
    return new AppSummary(
        app.key().env(), app.key().appid(), app.size(), statuses, zones, app.latestTimestamp());
  }

  /** An instance as fetch shows it, with the lease it is judged by. */
  record InstanceRow(@JsonUnwrapped Instance instance, long renewIntervalMs, long expireMs) {}

  private CompletableFuture<Reply> instances(ApiRequest req) {
    Params p = req.params();
    String env = p.identifier("env");
    String appid = p.identifier("appid");
    String q = lower(p.optional("q"));
    int offset = offset(p);
    int limit = limit(p, "limit", DEFAULT_PAGE, MAX_PAGE);
    long now = raft.writes().clock().unixNanos();
    return CompletableFuture.completedFuture(
        raft.stateMachine()
            .read(
                r -> {
                  Application app = r.application(env, appid).orElse(null);
                  if (app == null) {
                    return Reply.of(
                        Code.NOT_FOUND, "application " + appid + " (env " + env + ") not found");
                  }
                  List<Instance> matching = new ArrayList<>();
                  for (Instance i : app.instances()) {
                    if (q == null || matches(i, q)) {
                      matching.add(i);
                    }
                  }
                  matching.sort(Comparator.comparing(Instance::hostname));
                  List<InstanceRow> rows = new ArrayList<>();
                  for (Instance i : window(matching, offset, limit)) {
                    rows.add(row(i));
                  }
                  return Reply.ok(
                      ordered(
                          "total", matching.size(),
                          "offset", offset,
                          "limit", limit,
                          "now", now,
                          "instances", rows));
                }));
  }

  private InstanceRow row(Instance i) {
    boolean own = !i.lease().isDefault();
    return new InstanceRow(
        i,
        own ? i.lease().renewIntervalMs() : lease.renewIntervalMs(),
        own ? i.lease().durationMs() : lease.expireMs());
  }

  private static boolean matches(Instance i, String q) {
    if (lower(i.hostname()).contains(q)) {
      return true;
    }
    for (String addr : i.addrs()) {
      if (lower(addr).contains(q)) {
        return true;
      }
    }
    return false;
  }

  private CompletableFuture<Reply> protection(ApiRequest req) {
    long now = raft.writes().clock().unixNanos();
    long expireNanos = lease.expireMs() * 1_000_000;
    long ceilingNanos = lease.ceilingMs() * 1_000_000;
    return read(
        r -> {
          EvictionLog log = r.evictionLog();
          List<Instance> expired = r.expired(now, expireNanos);
          boolean protecting = log.protecting() != null ? log.protecting() : r.protecting();
          Long ceilingIn = null;
          if (protecting && !expired.isEmpty()) {
            long oldest = Long.MAX_VALUE;
            for (Instance i : expired) {
              oldest = Math.min(oldest, i.renewTimestamp());
            }
            ceilingIn = Math.max(0, (oldest + ceilingNanos - now) / 1_000_000);
          }
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("protecting", protecting);
          s.put("since", log.protectingSince());
          s.put("instances", r.instanceCount());
          s.put("guarded_instances", r.guardedInstanceCount());
          RegistryReads.putRenewCounters(s, r);
          s.put("evict_interval_ms", lease.evictIntervalMs());
          s.put("expire_ms", lease.expireMs());
          s.put("ceiling_ms", lease.ceilingMs());
          s.put("expired", expired.size());
          s.put("ceiling_in_ms", ceilingIn);
          s.put("windows", log.windows());
          return s;
        });
  }

  record EvictionRow(
      long seq,
      String env,
      String appid,
      String hostname,
      String zone,
      List<String> addrs,
      long lastRenewTs,
      long evictedTs,
      long index,
      long term,
      String reason) {}

  record ProtectionRow(
      long seq, boolean on, long ts, long renews, long threshold, long index, long term) {}

  private CompletableFuture<Reply> evictions(ApiRequest req) {
    Params p = req.params();
    String env = p.optionalIdentifier("env");
    String appid = p.optionalIdentifier("appid");
    int limit = limit(p, "limit", 100, MAX_LOG_PAGE);
    long before = p.nonNegativeLong("before", Long.MAX_VALUE);
    return read(
        r -> {
          EvictionLog log = r.evictionLog();
          List<EvictionRow> evictions = new ArrayList<>();
          List<EvictionLog.Eviction> all = log.evictions();
          for (int i = all.size() - 1; i >= 0 && evictions.size() < limit; i--) {
            EvictionLog.Eviction e = all.get(i);
            if (e.seq() < before
                && (env == null || env.equals(e.key().env()))
                && (appid == null || appid.equals(e.key().appid()))) {
              evictions.add(
                  new EvictionRow(
                      e.seq(),
                      e.key().env(),
                      e.key().appid(),
                      e.key().hostname(),
                      e.zone(),
                      e.addrs(),
                      e.lastRenew(),
                      e.evictedAt(),
                      e.at().index(),
                      e.at().term(),
                      e.reason().wireName));
            }
          }
          List<ProtectionRow> changes = new ArrayList<>();
          List<EvictionLog.ProtectionChange> allChanges = log.changes();
          for (int i = allChanges.size() - 1; i >= 0 && changes.size() < limit; i--) {
            EvictionLog.ProtectionChange c = allChanges.get(i);
            if (c.seq() < before) {
              changes.add(
                  new ProtectionRow(
                      c.seq(),
                      c.on(),
                      c.ts(),
                      c.renews(),
                      c.threshold(),
                      c.at().index(),
                      c.at().term()));
            }
          }
          Map<String, Long> totals = new LinkedHashMap<>();
          for (EvictionReason reason : List.of(EvictionReason.values())) {
            totals.put(reason.wireName, log.total(reason));
          }
          return ordered(
              "capacity", log.capacity(),
              "totals", totals,
              "evictions", evictions,
              "protection", changes);
        });
  }

  record ChangeRow(String action, long ts, String env, String appid, String hostname, int status) {}

  private CompletableFuture<Reply> changes(ApiRequest req) {
    Params p = req.params();
    String env = p.optionalIdentifier("env");
    String appid = p.optionalIdentifier("appid");
    int limit = limit(p, "limit", 100, MAX_LOG_PAGE);
    long since = raft.writes().clock().unixNanos() - RecentChanges.RETENTION_NANOS;
    return read(
        r -> {
          List<RecentChanges.Change> all =
              r.recentChanges()
                  .changes(
                      i ->
                          (env == null || env.equals(i.env()))
                              && (appid == null || appid.equals(i.appid())));
          List<ChangeRow> rows = new ArrayList<>();
          for (int i = all.size() - 1; i >= 0 && rows.size() < limit; i--) {
            RecentChanges.Change c = all.get(i);
            if (c.ts() < since) {
              break; // oldest first: everything before this one is older still
            }
            Instance x = c.instance();
            rows.add(
                new ChangeRow(
                    c.action().name().toLowerCase(Locale.ROOT),
                    c.ts(),
                    x.env(),
                    x.appid(),
                    x.hostname(),
                    x.status().code()));
          }
          return Map.of("changes", rows);
        });
  }

  private CompletableFuture<Reply> read(Function<RegistryView, Object> reader) {
    return CompletableFuture.completedFuture(Reply.ok(raft.stateMachine().read(reader::apply)));
  }

  /** A map of the given keys and values, in that order (the JSON's order). */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static <T> List<T> window(List<T> list, int offset, int limit) {
    return offset >= list.size()
        ? List.of()
        : list.subList(offset, Math.min(list.size(), offset + limit));
  }

  private static int offset(Params p) {
    int offset = p.intParam("offset", 0);
    if (offset < 0) {
      throw ApiException.badParam("offset", "must be 0 or more, got " + offset);
    }
    return offset;
  }

  private static int limit(Params p, String name, int defaultValue, int max) {
    int limit = p.intParam(name, defaultValue);
    if (limit < 1 || limit > max) {
      throw ApiException.badParam(name, "must be in 1.." + max + ", got " + limit);
    }
    return limit;
  }

  private static String lower(String s) {
    return s == null || s.isBlank() ? null : s.trim().toLowerCase(Locale.ROOT);
  }
}
