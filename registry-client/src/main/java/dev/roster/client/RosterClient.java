package dev.roster.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Roster client: register your instances, fetch and watch other applications. Build one per
 * application with {@link #newBuilder()} and share it; it is immutable, thread-safe and {@link
 * AutoCloseable}.
 *
 * <pre>{@code
 * try (RosterClient roster = RosterClient.newBuilder()
 *         .nodes("http://10.0.0.1:7171", "http://10.0.0.2:7171", "http://10.0.0.3:7171")
 *         .env("prod").zone("sh001").build();
 *     Registration me = roster.register(Instance.builder("billing.api", "billing-7f9c")
 *         .addrs("http://10.0.1.7:8080").build());
 *     Watch users = roster.watch("users.api", now -> balancer.update(now.instances()))) {
 *   server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>Writes go to the leader (redirects are followed, the leader remembered); reads go round-robin
 * to any node. Failed attempts are retried on the next node with backoff until the {@linkplain
 * Builder#deadline deadline}; callers only ever see the outcome or a {@link RosterException}.
 * Nothing blocks longer than the deadline plus one request timeout.
 */
public final class RosterClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RosterClient.class);
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  /** Threads of the JDK HttpClient's executor: it only parses and hands over, never blocks. */
  static final int HTTP_THREADS = 2;

  private final Settings settings;
  private final Core core;
  private final Poller poller;
  private final ScheduledThreadPoolExecutor scheduler;
  private final ThreadPoolExecutor io;
  private final ThreadPoolExecutor polls;
  private final ThreadPoolExecutor http;
  private final ThreadPoolExecutor events;
  private final Set<Registration> registrations = ConcurrentHashMap.newKeySet();
  private final Map<Query, AppInstances> lastFetched = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> nodeRefresh;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RosterClient(Settings settings) {
    this.settings = settings;
    String name = "roster-client-" + CLIENTS.incrementAndGet();
    // renews are delayed tasks in this one thread's queue, not a thread or a parked task each
    this.scheduler = new ScheduledThreadPoolExecutor(1, thread(name + "-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    // bounded: an unbounded pool grew to one thread per response in flight (67-165 threads held
    // by 550 registrations); a request holds its thread for one round trip on loopback or LAN
    this.io = onDemand(settings.ioThreads(), threads(name + "-io"));
    // the watch loop's own thread: its long poll is held for pollHold and must not take an I/O
    // thread
    this.polls = onDemand(1, thread(name + "-poll"));
    // the HttpClient's executor, apart from the threads blocked in send() waiting for it to read
    // their responses: were it the I/O pool, enough blocked callers would leave it none
    this.http = onDemand(HTTP_THREADS, threads(name + "-http"));
    // one thread: listeners see changes in order
    this.events =
        new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), thread(name + "-events"));
    ObjectMapper json = new ObjectMapper();
    Nodes nodes = new Nodes(settings.nodes(), settings.backoffMax().toNanos());
    Exchange exchange =
        new HttpExchange(
            settings.connectTimeout(), scheduler, http, json, settings.token(), settings.tls());
    RetryingCall.Timer timer =
        (task, delayMillis) -> scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    RetryingCall.Context retries =
        new RetryingCall.Context(
            nodes,
            exchange,
            timer,
            new Backoff(settings.backoffMin(), settings.backoffMax()),
            settings.maxRedirects(),
            System::nanoTime);
    Transport transport = new Transport(retries, io, polls);
    this.core = new Core(settings, nodes, transport, scheduler, events, new Wire(json));
    this.poller = new Poller(core);
    this.nodeRefresh =
        scheduler.scheduleWithFixedDelay(
            this::refreshNodes,
            0,
            settings.nodeRefreshInterval().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** A builder with every setting at its default; {@code nodes} and {@code env} are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The same as {@link #newBuilder()}, kept for existing callers. */
  public static Builder builder() {
    return newBuilder();
  }

  /**
   * Registers {@code instance} in this client's env (and zone, unless the instance names one) and
   * keeps it renewed until the returned handle or this client is closed.
   *
   * @throws RosterUnavailableException if no node accepted the registration within the deadline
   * @throws RosterRequestException if the registry refused it (e.g. a malformed field)
   * @throws IllegalStateException if this client already keeps that instance registered
   */
  public Registration register(Instance instance) {
    return Futures.await(registerAsync(instance), core.syncBound());
  }

  /** {@link #register} without blocking. */
  public CompletableFuture<Registration> registerAsync(Instance instance) {
    Args.notNull(instance, "instance");
    requireOpen();
    if (instance.env() != null && !instance.env().equals(settings.env())) {
      throw new IllegalArgumentException(
          "env: the instance's env '"
              + instance.env()
              + "' differs from the client's '"
              + settings.env()
              + "'");
    }
    Instance spec =
        new Instance(
            instance.appid(),
            instance.hostname(),
            instance.addrs(),
            instance.zone() != null ? instance.zone() : settings.zone(),
            instance.region(),
            settings.env(),
            instance.version(),
            instance.status(),
            instance.metadata(),
            0,
            0,
            0,
            0,
            0);
    for (Registration r : registrations) {
      Instance other = r.instance();
      if (other.appid().equals(spec.appid()) && other.hostname().equals(spec.hostname())) {
        throw new IllegalStateException(
            spec.appid()
                + "/"
                + spec.hostname()
                + " is already registered by this client; close that Registration first");
      }
    }
    Registration registration = new Registration(core, spec, registrations::remove);
    registrations.add(registration);
    return registration.start();
  }

  /** The UP instances of {@code appid} in every zone. */
  public AppInstances fetch(String appid) {
    return fetch(Query.app(appid));
  }

  /**
   * The instances {@code query} selects, read from any node. When no node answers, the last answer
   * to the same query (or the watched state of the application, for UP-only queries) is returned
   * instead — as soon as every node failed once — and a warning is logged.
   *
   * @throws RosterNotFoundException if the application does not exist in this env
   * @throws RosterUnavailableException if no node answered within the deadline and nothing is
   *     cached
   */
  public AppInstances fetch(Query query) {
    return Futures.await(fetchAsync(query), core.syncBound());
  }

  /** {@link #fetch(Query)} without blocking. */
  public CompletableFuture<AppInstances> fetchAsync(Query query) {
    Args.notNull(query, "query");
    requireOpen();
    Form form =
        new Form()
            .add("env", settings.env())
            .add("appid", query.appid())
            .add("zone", query.zone())
            .add("status", query.statusMask());
    if (query.isConsistent()) {
      form.add("consistent", "true");
    }
    boolean cached = cached(query) != null;
    Call call = core.call(false, "/discovery/fetch", form);
    RetryingCall op = core.transport().start(call, settings.deadline(), cached);
    return op.result()
        .handle(
            (reply, error) -> {
              if (error == null) {
                if (reply.ok()) {
                  AppInstances result = core.wire().appInstances(query.appid(), reply.data());
                  lastFetched.put(query, result);
                  return result;
                }
                if (reply.notFound()) {
                  lastFetched.remove(query);
                  throw new RosterNotFoundException(
                      "application " + query.appid() + " (env " + settings.env() + ") not found");
                }
                throw new RosterException(
                    reply.code(),
                    "fetch of " + query.appid() + ": unexpected answer " + reply.code(),
                    null);
              }
              RuntimeException failure = Futures.unwrap(error);
              AppInstances fallback =
                  failure instanceof RosterUnavailableException ? cached(query) : null;
              if (fallback == null) {
                throw failure;
              }
              log.warn(
                  "registry unreachable, serving the last known instances of {}: {}",
                  query.appid(),
                  failure.getMessage());
              return fallback;
            });
  }

  /**
   * Watches the UP instances of {@code appid}: {@code listener} is called with the current
   * instances (empty if the application does not exist yet), then with every new version, once and
   * in order, on the client's event thread. All watches of a client share one long poll.
   *
   * @throws IllegalArgumentException if {@code appid} is empty or {@code listener} is null
   */
  public Watch watch(String appid, InstancesListener listener) {
    Query.app(appid); // validates
    Args.notNull(listener, "listener");
    requireOpen();
    return poller.watch(appid, listener);
  }

  /** The nodes this client currently uses (configured ones plus those the cluster reported). */
  public List<String> nodes() {
    List<String> urls = new ArrayList<>();
    core.nodes().all().forEach(u -> urls.add(u.toString()));
    return urls;
  }

  public String env() {
    return settings.env();
  }

  public String zone() {
    return settings.zone();
  }

  /**
   * Cancels every registration of this client (waiting at most the deadline), stops its watches and
   * every thread it started. Idempotent; never throws.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    nodeRefresh.cancel(false);
    poller.close();
    List<CompletableFuture<Void>> cancels = new ArrayList<>();
    registrations.forEach(r -> cancels.add(r.closeAsync()));
    try {
      Futures.await(
          CompletableFuture.allOf(cancels.toArray(new CompletableFuture<?>[0])),
          core.syncBound().plus(settings.requestTimeout()));
    } catch (RosterException e) {
      log.warn("closing: not every registration was cancelled: {}", e.getMessage());
    }
    scheduler.shutdownNow();
    events.shutdownNow();
    // interrupts what is still blocked in send(); the HttpClient's pool goes last, so that the
    // exchanges those cancel can finish on it
    io.shutdownNow();
    polls.shutdownNow();
    awaitTermination(scheduler);
    awaitTermination(events);
    awaitTermination(io);
    awaitTermination(polls);
    core.transport().close();
    http.shutdownNow();
    awaitTermination(http);
  }

  /** At most {@code size} threads, started on demand; idle ones end after 30 s. */
  private static ThreadPoolExecutor onDemand(int size, ThreadFactory threads) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static void awaitTermination(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("a client thread did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the RosterClient is closed");
    }
  }

  private AppInstances cached(Query query) {
    AppInstances last = lastFetched.get(query);
    if (last != null) {
      return last;
    }
    if (query.statuses().equals(Set.of(Status.UP))) {
      AppInstances watched = poller.current(query.appid());
      if (watched != null) {
        List<Instance> inZone =
            watched.instances().stream()
                .filter(i -> query.zone() == null || query.zone().equals(i.zone()))
                .toList();
        return new AppInstances(watched.appid(), inZone, watched.latestTimestamp());
      }
    }
    return null;
  }

  private void refreshNodes() {
    Call call = core.call(false, "/discovery/nodes", new Form());
    RetryingCall op = core.transport().start(call, settings.requestTimeout());
    op.result()
        .whenComplete(
            (reply, error) -> {
              if (error != null || !reply.ok() || !reply.data().isArray()) {
                log.debug("node list not refreshed: {}", error == null ? reply : error.toString());
                return;
              }
              String scheme = settings.nodes().get(0).getScheme();
              List<URI> live = new ArrayList<>();
              URI leader = null;
              for (JsonNode row : reply.data()) {
                String addr = row.path("addr").asText("");
                if (addr.isEmpty() || row.path("status").asInt(1) != 0) {
                  continue;
                }
                try {
                  URI url = BaseUrls.parse(scheme + "://" + addr);
                  live.add(url);
                  if ("leader".equals(row.path("role").asText())) {
                    leader = url;
                  }
                } catch (IllegalArgumentException e) {
                  log.debug("ignoring node address {}: {}", addr, e.getMessage());
                }
              }
              core.nodes().discovered(live, leader);
            });
  }

  /** The factory of a pool's only thread, named as docs/client.md lists it (no number). */
  private static ThreadFactory thread(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Settings of a {@link RosterClient}. Only {@link #nodes} and {@link #env} are required; every
   * other setting has the default named on its method. {@link #build()} checks them all.
   */
  public static final class Builder {
    private List<String> nodes = List.of();
    private String env;
    private String zone = "default";
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(5);
    private Duration deadline = Duration.ofSeconds(15);
    private int maxRedirects = 3;
    private Duration backoffMin = Duration.ofMillis(100);
    private Duration backoffMax = Duration.ofSeconds(2);
    private Duration renewInterval = Duration.ofSeconds(30);
    private Duration pollHold = Duration.ofSeconds(30);
    private Duration nodeRefreshInterval = Duration.ofSeconds(60);
    private int ioThreads = 4;
    private Supplier<String> token = () -> null;
    private Path trustCertificates;
    private Path trustStore;
    private char[] trustStorePassword;
    private Path clientCertificate;
    private Path clientKey;
    private SSLContext sslContext;

    private Builder() {}

    /**
     * Trust only the CA certificates in this PEM file (one or more {@code BEGIN CERTIFICATE}
     * blocks) for {@code https://} nodes, instead of the JDK's default trust store: for a registry
     * started with {@code --tls-ca} (docs/security.md), pass that CA. Read by {@link #build()}.
     * Server certificates are checked for the host or IP the client connects to (subjectAltName).
     * Not together with {@link #trustStore} or {@link #sslContext}.
     */
    public Builder trustCertificates(Path caPem) {
      this.trustCertificates = Args.notNull(caPem, "trustCertificates");
      return this;
    }

    /**
     * Trust the certificates of a PKCS#12 or JKS key store instead (the type is detected; see
     * {@link #trustCertificates}). {@code password} may be null for a store without one (its
     * integrity is then not checked); it is copied. Read by {@link #build()}: a wrong password or a
     * store without certificates is an {@link IllegalArgumentException}.
     */
    public Builder trustStore(Path file, char[] password) {
      this.trustStore = Args.notNull(file, "trustStore");
      this.trustStorePassword = password == null ? null : password.clone();
      return this;
    }

    /**
     * Present this certificate (PEM chain, leaf first) and its key (unencrypted PKCS#8 PEM, {@code
     * BEGIN PRIVATE KEY}) to nodes that require client certificates ({@code --tls-client-ca}). RSA,
     * EC or EdDSA. Checked by {@link #build()}: the key must belong to the certificate, and a
     * PKCS#1, SEC1 or encrypted key is refused with the {@code openssl pkcs8} command that converts
     * it. Combines with {@link #trustCertificates} or {@link #trustStore}.
     */
    public Builder clientCertificate(Path certificatePem, Path keyPem) {
      this.clientCertificate = Args.notNull(certificatePem, "clientCertificate (certificatePem)");
      this.clientKey = Args.notNull(keyPem, "clientCertificate (keyPem)");
      return this;
    }

    /**
     * Use a context built by the caller (its key and trust managers) for {@code https://} nodes; it
     * must be initialized. Not together with {@link #trustCertificates}, {@link #trustStore} or
     * {@link #clientCertificate}. TLS 1.2 and 1.3 only; host names are still verified.
     */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Args.notNull(context, "sslContext");
      return this;
    }

    /**
     * The token sent with every request ({@code Authorization: Bearer}), for a registry that needs
     * one (docs/security.md). Asked again for every request, so it can rotate: return the current
     * token from a file, a vault, an environment variable. Default: none.
     */
    public Builder token(Supplier<String> token) {
      this.token = token;
      return this;
    }

    /** A fixed token; see {@link #token(Supplier)}. */
    public Builder token(String token) {
      return token(() -> token);
    }

    /** Base URLs of some or all nodes, e.g. {@code http://10.0.0.1:7171}. Required. */
    public Builder nodes(String... urls) {
      this.nodes = Arrays.asList(Args.notNull(urls, "nodes").clone());
      return this;
    }

    public Builder nodes(List<String> urls) {
      this.nodes = new ArrayList<>(Args.notNull(urls, "nodes"));
      return this;
    }

    /** The environment everything of this client lives in, e.g. {@code prod}. Required. */
    public Builder env(String env) {
      this.env = env;
      return this;
    }

    /** The zone instances are registered in unless they name one. Default {@code default}. */
    public Builder zone(String zone) {
      this.zone = zone;
      return this;
    }

    /** TCP connect timeout per attempt. Default 2 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** How long one attempt on one node may take (long polls: hold + this). Default 5 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * How long one operation (register, renew, fetch, ...) keeps retrying across nodes before it
     * fails with {@link RosterUnavailableException}. At least the request timeout. Default 15 s.
     */
    public Builder deadline(Duration deadline) {
      this.deadline = deadline;
      return this;
    }

    /** Redirects to the leader followed in a row before backing off. 1 to 10; default 3. */
    public Builder maxRedirects(int maxRedirects) {
      this.maxRedirects = maxRedirects;
      return this;
    }

    /** First wait after a failed attempt; doubles per failure up to backoffMax. Default 100 ms. */
    public Builder backoffMin(Duration backoffMin) {
      this.backoffMin = backoffMin;
      return this;
    }

    /** Longest wait between attempts (actual waits are jittered to 50–100 %). Default 2 s. */
    public Builder backoffMax(Duration backoffMax) {
      this.backoffMax = backoffMax;
      return this;
    }

    /** How often registrations renew; match the registry's renew-interval. Default 30 s. */
    public Builder renewInterval(Duration renewInterval) {
      this.renewInterval = renewInterval;
      return this;
    }

    /**
     * How long the registry holds a watch's long poll without news. At most 300 s; default 30 s.
     */
    public Builder pollHold(Duration pollHold) {
      this.pollHold = pollHold;
      return this;
    }

    /** How often the node list is refreshed from {@code /discovery/nodes}. Default 60 s. */
    public Builder nodeRefreshInterval(Duration nodeRefreshInterval) {
      this.nodeRefreshInterval = nodeRefreshInterval;
      return this;
    }

    /**
     * Most threads that send requests (each waits for one round trip at a time, so this is also the
     * most requests in flight besides the watches' long poll), handle the responses and run the
     * continuations of the async methods; they start on demand and end after 30 s idle. Renews and
     * fetches per second are at most about this / the round trip (a renew is a Raft write: 7-15 ms
     * on a loaded 2-core machine), so a few threads carry thousands of registrations; do not block
     * in callbacks. 1 to 64; default 4.
     */
    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    /**
     * Builds the client and starts its background work (node refresh).
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public RosterClient build() {
      return new RosterClient(settings());
    }

    Settings settings() {
      if (nodes == null || nodes.isEmpty()) {
        throw new IllegalArgumentException(
            "nodes: at least one node URL is required, e.g. http://127.0.0.1:7171");
      }
      List<URI> urls = new ArrayList<>();
      for (String n : nodes) {
        if (n == null) {
          throw new IllegalArgumentException("nodes: contains null");
        }
        URI u;
        try {
          u = BaseUrls.parse(n);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("nodes: " + e.getMessage());
        }
        if (!urls.contains(u)) {
          urls.add(u);
        }
      }
      identifier("env", env);
      identifier("zone", zone);
      positive("connectTimeout", connectTimeout);
      positive("requestTimeout", requestTimeout);
      positive("deadline", deadline);
      if (deadline.compareTo(requestTimeout) < 0) {
        throw new IllegalArgumentException(
            "deadline: must be at least requestTimeout ("
                + requestTimeout.toMillis()
                + " ms), got "
                + deadline.toMillis()
                + " ms");
      }
      if (maxRedirects < 1 || maxRedirects > 10) {
        throw new IllegalArgumentException(
            "maxRedirects: must be between 1 and 10, got " + maxRedirects);
      }
      positive("backoffMin", backoffMin);
      positive("backoffMax", backoffMax);
      if (backoffMax.compareTo(backoffMin) < 0) {
        throw new IllegalArgumentException(
            "backoffMax: must be at least backoffMin ("
                + backoffMin.toMillis()
                + " ms), got "
                + backoffMax.toMillis()
                + " ms");
      }
      positive("renewInterval", renewInterval);
      positive("pollHold", pollHold);
      if (pollHold.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException(
            "pollHold: must be at most 300 s (the registry's limit), got "
                + pollHold.toMillis()
                + " ms");
      }
      positive("nodeRefreshInterval", nodeRefreshInterval);
      if (token == null) {
        throw new IllegalArgumentException("token: the supplier must not be null (use () -> null)");
      }
      if (ioThreads < 1 || ioThreads > 64) {
        throw new IllegalArgumentException("ioThreads: must be between 1 and 64, got " + ioThreads);
      }
      return new Settings(
          List.copyOf(urls),
          env,
          zone,
          connectTimeout,
          requestTimeout,
          deadline,
          maxRedirects,
          backoffMin,
          backoffMax,
          renewInterval,
          pollHold,
          nodeRefreshInterval,
          ioThreads,
          token,
          ClientTls.of(
              new ClientTls.Sources(
                  trustCertificates,
                  trustStore,
                  trustStorePassword,
                  clientCertificate,
                  clientKey,
                  sslContext)));
    }

    private static void identifier(String name, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + ": is required and must not be blank");
      }
      boolean spaceOrControl =
          value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
      if (!value.equals(value.strip()) || spaceOrControl) {
        throw new IllegalArgumentException(
            name + ": must not contain spaces or control characters, got '" + value + "'");
      }
    }

    private static void positive(String name, Duration value) {
      if (value == null) {
        throw new IllegalArgumentException(name + ": must not be null");
      }
      if (value.toMillis() < 1) {
        throw new IllegalArgumentException(name + ": must be at least 1 ms, got " + value);
      }
    }
  }
}
