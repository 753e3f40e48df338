package dev.roster.node.http;

import dev.roster.node.model.Application;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.RecentChanges;
import dev.roster.node.raft.RaftRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * Eureka's reads, served by every node from its applied state: the full registry of an env, the
 * delta (the last three minutes of changes, {@link RecentChanges}), one application, one instance,
 * the instances of a vip address. The {@code apps__hashcode} of the full registry and of the delta
 * is computed over exactly what {@code GET apps/} returns at that point, so a client that applied
 * the delta finds the same count of each status.
 *
 * <p>The full registry and the delta of each env are encoded once per change (renews are no change,
 * so the lease's {@code lastRenewalTimestamp} shown can be older than the last renew, as on a
 * Eureka server, whose response cache holds answers for 30 s).
 */
final class EurekaReads {
  private static final Comparator<Instance> BY_ID = Comparator.comparing(Instance::hostname);

  private final RaftRegistry raft;
  private final ReadGate gate;
  private final EurekaRoutes paths;
  private final EurekaJson json;
  private final Map<String, Encoded> cache = new ConcurrentHashMap<>();

  /**
   * The answers of one env, valid while its registry's changes are these: the state copied once,
   * its hashcode, and each answer encoded (and gzipped: Spring's clients ask for gzip, and the full
   * registry compresses about tenfold) on its first demand, so a delta request never pays for
   * encoding the full registry.
   */
  private final class Encoded {
    final RecentChanges owner;
    final long version;
    private final EnvState state;
    private final String hash;
    private final String versionDelta;
    private volatile byte[] full;
    private volatile byte[] delta;
    private volatile byte[] fullGzip;
    private volatile byte[] deltaGzip;

    Encoded(EnvState state) {
      this.owner = state.owner();
      this.version = state.version();
      this.state = state;
      this.hash =
          EurekaJson.hashCode(state.byApp().values().stream().flatMap(List::stream).toList());
      this.versionDelta = EurekaReads.version(state);
    }

    byte[] body(boolean wantFull, boolean gzipped) {
      if (wantFull) {
        byte[] b = full;
        if (b == null) {
          b = full = json.applications(state.byApp(), Map.of(), versionDelta, hash);
        }
        if (!gzipped) {
          return b;
        }
        byte[] z = fullGzip;
        return z != null ? z : (fullGzip = gzip(b));
      }
      byte[] b = delta;
      if (b == null) {
        b = delta = encodeDelta();
      }
      if (!gzipped) {
        return b;
      }
      byte[] z = deltaGzip;
      return z != null ? z : (deltaGzip = gzip(b));
    }

    /**
     * The changes by application, each application's additions and modifications first and its
     * deletions after, each in the order they happened. The order matters to the Eureka client: it
     * applies a delta instance by instance, and an ADDED for an application it does not hold makes
     * it add the delta's whole application, deletions included, which only the DELETED entries that
     * come after then take out again (else the client keeps deleted instances until its hashcode
     * check forces a full fetch).
     */
    private byte[] encodeDelta() {
      Map<String, List<Instance>> kept = new TreeMap<>();
      Map<String, List<Instance>> deleted = new TreeMap<>();
      Map<Instance, String> actions = new HashMap<>();
      for (RecentChanges.Change c : state.changes()) {
        boolean deletion = c.action() == RecentChanges.Action.DELETED;
        (deletion ? deleted : kept)
            .computeIfAbsent(c.instance().appid(), a -> new ArrayList<>())
            .add(c.instance());
        actions.put(c.instance(), c.action().name());
      }
      Map<String, List<Instance>> changedByApp = new TreeMap<>();
      kept.forEach((appid, list) -> changedByApp.put(appid, new ArrayList<>(list)));
      deleted.forEach(
          (appid, list) ->
              changedByApp.computeIfAbsent(appid, a -> new ArrayList<>()).addAll(list));
      return json.applications(changedByApp, actions, versionDelta, hash);
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out, 1 << 16)) {
      z.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip in memory", e);
    }
    return out.toByteArray();
  }

  /** True when the client accepts a gzipped answer. */
  private static boolean acceptsGzip(ApiRequest req) {
    String accept = req.header("accept-encoding");
    return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("gzip");
  }

  private static Reply maybeGzipped(ApiRequest req, Encoded e, boolean full) {
    if (!acceptsGzip(req)) {
      return json(e.body(full, false));
    }
    return new Reply(
        Code.OK,
        "",
        new RawBody(RawBody.JSON, e.body(full, true), 200),
        Map.of("Content-Encoding", "gzip"));
  }

  /** What one read copies out of the registry under the lock; encoded outside it. */
  private record EnvState(
      RecentChanges owner,
      long version,
      Map<String, List<Instance>> byApp,
      List<RecentChanges.Change> changes) {}

  EurekaReads(RaftRegistry raft, ReadGate gate, EurekaRoutes paths, EurekaJson json) {
    this.raft = raft;
    this.gate = gate;
    this.paths = paths;
    this.json = json;
  }

  void routes(Router router) {
    for (String root : EurekaRoutes.ROOTS) {
      router
          .get(root + "/apps", this::full)
          .get(root + "/apps/delta", this::delta)
          .get(root + "/apps/{app}", this::application)
          .get(root + "/apps/{app}/{id}", this::instance)
          .get(root + "/instances/{id}", this::instanceById)
          .get(root + "/vips/{vip}", req -> vip(req, false))
          .get(root + "/svips/{vip}", req -> vip(req, true));
    }
  }

  CompletableFuture<Reply> full(ApiRequest req) {
    String env = paths.env(req);
    return read(() -> maybeGzipped(req, encoded(env), true));
  }

  CompletableFuture<Reply> delta(ApiRequest req) {
    String env = paths.env(req);
    return read(() -> maybeGzipped(req, encoded(env), false));
  }

  CompletableFuture<Reply> application(ApiRequest req) {
    String env = paths.env(req);
    String appid = EurekaJson.appid(Params.checkIdentifier("app", req.pathParam("app")));
    return read(
        () -> {
          List<Instance> instances =
              raft.stateMachine()
                  .read(
                      r ->
                          r.application(env, appid)
                              .map(a -> List.copyOf(a.instances()))
                              .orElse(List.of()));
          if (instances.isEmpty()) {
            return EurekaWrites.notFound();
          }
          return json(json.application(appid, sorted(instances)));
        });
  }

  CompletableFuture<Reply> instance(ApiRequest req) {
    String appid = EurekaJson.appid(Params.checkIdentifier("app", req.pathParam("app")));
    InstanceKey key =
        new InstanceKey(paths.env(req), appid, Params.checkIdentifier("id", req.pathParam("id")));
    return read(() -> instanceReply(raft.stateMachine().read(r -> r.instance(key))));
  }

  CompletableFuture<Reply> instanceById(ApiRequest req) {
    String env = paths.env(req);
    String id = Params.checkIdentifier("id", req.pathParam("id"));
    return read(
        () ->
            instanceReply(
                raft.stateMachine()
                    .read(
                        r ->
                            r.applications().stream()
                                .filter(a -> a.key().env().equals(env))
                                .map(a -> a.instance(id))
                                .filter(i -> i != null)
                                .findFirst())));
  }

  private Reply instanceReply(Optional<Instance> instance) {
    return instance.map(i -> json(json.instance(i))).orElseGet(EurekaWrites::notFound);
  }

  CompletableFuture<Reply> vip(ApiRequest req, boolean secure) {
    String env = paths.env(req);
    String vip = Params.checkIdentifier("vip", req.pathParam("vip")).toLowerCase();
    return read(
        () -> {
          EnvState state = state(env);
          Map<String, List<Instance>> matching = new LinkedHashMap<>();
          state
              .byApp()
              .forEach(
                  (appid, instances) -> {
                    List<Instance> hits =
                        instances.stream().filter(i -> json.vips(i, secure).contains(vip)).toList();
                    if (!hits.isEmpty()) {
                      matching.put(appid, hits);
                    }
                  });
          List<Instance> all = matching.values().stream().flatMap(List::stream).toList();
          return json(
              json.applications(matching, Map.of(), version(state), EurekaJson.hashCode(all)));
        });
  }

  private CompletableFuture<Reply> read(Supplier<Reply> read) {
    return gate.onceCaughtUp(() -> CompletableFuture.completedFuture(read.get()));
  }

  private static Reply json(byte[] body) {
    return Reply.ok(new RawBody(RawBody.JSON, body, 200));
  }

  /** The env's encoded full registry and delta, encoded now if the registry changed since. */
  private Encoded encoded(String env) {
    Encoded cached = cache.get(env);
    if (cached != null && current(cached)) {
      return cached;
    }
    Encoded encoded = new Encoded(state(env));
    cache.put(env, encoded);
    return encoded;
  }

  private boolean current(Encoded cached) {
    return raft.stateMachine()
        .read(
            r ->
                r.recentChanges() == cached.owner && r.recentChanges().version() == cached.version);
  }

  /** The env's applications and recent changes, copied under the lock, sorted outside it. */
  private EnvState state(String env) {
    EnvState copied =
        raft.stateMachine()
            .read(
                r -> {
                  Map<String, List<Instance>> byApp = new HashMap<>();
                  for (Application app : r.applications()) {
                    if (app.key().env().equals(env)) {
                      byApp.put(app.key().appid(), List.copyOf(app.instances()));
                    }
                  }
                  Predicate<Instance> inEnv = i -> i.env().equals(env);
                  return new EnvState(
                      r.recentChanges(),
                      r.recentChanges().version(),
                      byApp,
                      r.recentChanges().changes(inEnv));
                });
    Map<String, List<Instance>> sorted = new TreeMap<>();
    copied.byApp().forEach((appid, instances) -> sorted.put(appid, sorted(instances)));
    return new EnvState(copied.owner(), copied.version(), sorted, copied.changes());
  }

  private static List<Instance> sorted(List<Instance> instances) {
    List<Instance> copy = new ArrayList<>(instances);
    copy.sort(BY_ID);
    return copy;
  }

  /**
   * {@code versions__delta}: the newest change of the env, in ms. Never -1, which would tell
   * clients to fetch in full every time; the client only stores it.
   */
  private static String version(EnvState state) {
    long newest = 0;
    for (List<Instance> instances : state.byApp().values()) {
      for (Instance i : instances) {
        newest = Math.max(newest, i.latestTimestamp());
      }
    }
    for (RecentChanges.Change c : state.changes()) {
      newest = Math.max(newest, c.ts());
    }
    return Long.toString(newest / 1_000_000);
  }
}
