package dev.roster.node.cluster;

import static dev.roster.node.util.Concurrency.daemonThreads;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.command.RegisterCommand;
import dev.roster.node.command.RenewCommand;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.raft.LeadershipListener;
import dev.roster.node.raft.RaftRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's own entry in {@link PeerDirectory} registered and renewed: through Raft
 * directly when this node leads, otherwise by HTTP to the leader (whose address is in the
 * directory, because the leader registers itself the moment it is elected).
 */
public final class NodeAnnouncer implements LeadershipListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAnnouncer.class);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RaftRegistry raft;
  private final PeerDirectory directory;
  private final InstanceSpec self;
  private final long renewIntervalNanos;
  private final long writeTimeoutMs;
  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean inFlight = new AtomicBoolean();

  /** TLS and the token this node sends with its announcements (docs/security.md). */
  private final PeerLink link;

  private final long tickMs;
  private volatile long lastAnnouncedNanos;
  private volatile boolean announced;

  public NodeAnnouncer(
      RaftRegistry raft,
      PeerDirectory directory,
      InstanceSpec self,
      Duration renewInterval,
      long writeTimeoutMs,
      PeerLink link) {
    this.link = link;
    this.raft = raft;
    this.directory = directory;
    this.self = self;
    this.renewIntervalNanos = renewInterval.toNanos();
    // look twice per interval (at most every 500 ms) so a missing entry is noticed quickly
    this.tickMs = Math.max(20, Math.min(500, renewInterval.toMillis() / 2));
    this.writeTimeoutMs = writeTimeoutMs;
    this.http = link.client(Duration.ofMillis(writeTimeoutMs));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("roster-node-announcer"));
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onLeaderStart(long term) {
    try {
      timer.execute(this::tick);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // the node is shutting down (JRaft can still elect it while it stops): nothing to announce
    }
  }

  @Override
  public void onLeaderStop() {}

  private void tick() {
    try {
      if (raft.leadership().leader().isEmpty() || !inFlight.compareAndSet(false, true)) {
        return;
      }
      Optional<Instance> me =
          raft.stateMachine()
              .read(
                  r ->
                      r.application(PeerDirectory.ENV, PeerDirectory.APPID)
                          .map(app -> app.instance(self.hostname())));
      boolean register =
          me.isEmpty()
              || !me.get().addrs().equals(self.addrs())
              || !me.get().zone().equals(self.zone());
      boolean renew = !register && System.nanoTime() - lastAnnouncedNanos >= renewIntervalNanos;
      if (!register && !renew) {
        inFlight.set(false);
        return;
      }
      announce(register)
          .whenComplete(
              (ok, e) -> {
                inFlight.set(false);
                if (e == null && ok) {
                  lastAnnouncedNanos = System.nanoTime();
                  if (!announced) {
                    announced = true;
                    log.info(
                        "announced this node ({} at {}) to the cluster",
                        self.hostname(),
                        self.addrs().get(0));
                  }
                }
              });
    } catch (RuntimeException e) {
      inFlight.set(false);
      log.debug("announce failed", e);
    }
  }

  private CompletableFuture<Boolean> announce(boolean register) {
    if (raft.leadership().isLeader()) {
      return raft.writes()
          .propose(
              ts -> register ? new RegisterCommand(ts, self) : new RenewCommand(ts, self.key()),
              writeTimeoutMs)
          .thenApply(r -> r.isOk());
    }
    Optional<String> leader = directory.leaderClusterAddress();
    if (leader.isEmpty()) {
      return CompletableFuture.completedFuture(false);
    }
    StringBuilder form =
        new StringBuilder()
            .append("zone=")
            .append(enc(self.zone()))
            .append("&env=")
            .append(enc(self.env()))
            .append("&appid=")
            .append(enc(self.appid()))
            .append("&hostname=")
            .append(enc(self.hostname()));
    if (register) {
      self.addrs().forEach(a -> form.append("&addrs=").append(enc(a)));
      form.append("&status=").append(self.status().code());
      form.append("&version=").append(enc(self.version()));
      if (!self.metadata().isEmpty()) {
        form.append("&metadata=").append(enc(toJson(self.metadata())));
      }
    }
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(
                URI.create(leader.get() + (register ? "/discovery/register" : "/discovery/renew")))
            .timeout(Duration.ofMillis(writeTimeoutMs))
            .header("Content-Type", "application/x-www-form-urlencoded");
    link.authorized(builder);
    HttpRequest request =
        builder.POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> response.statusCode() == 200 && codeOf(response.body()) == 0);
  }

  /**
   * The envelope's code: on discovery's wire every outcome is HTTP 200, the code tells them apart.
   */
  private static int codeOf(String body) {
    try {
      return JSON.readTree(body).path("code").asInt(Integer.MIN_VALUE);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return Integer.MIN_VALUE;
    }
  }

  private static String toJson(java.util.Map<String, String> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
