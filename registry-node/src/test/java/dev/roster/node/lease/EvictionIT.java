package dev.roster.node.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.RetryingWriter;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Eviction and self-protection over time on real nodes, with timings shrunk so a test takes
 * seconds: renew every 100 ms (clients here renew every 30 ms, well above what is owed), checks
 * every 250 ms, expiry 1 s, ceiling 4 s.
 */
class EvictionIT {
  private static final Map<String, String> FAST =
      Map.of(
          "renew-interval", "100ms",
          "evict-interval", "250ms",
          "expire", "1s",
          "evict-ceiling", "4s");

  private TestCluster cluster;
  private final List<Renewer> renewers = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Renewer r : renewers) {
      r.finish();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Renews its hosts every 30 ms through any node, following redirects, until stopped. */
  private final class Renewer extends Thread {
    final List<String> hosts = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final String appid;

    Renewer(String appid, List<String> hosts) {
      this.appid = appid;
      this.hosts.addAll(hosts);
      setDaemon(true);
      renewers.add(this);
      start();
    }

    @Override
    public void run() {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < cluster.size(); i++) {
        urls.add(cluster.url(i));
      }
      RetryingWriter w = new RetryingWriter(urls);
      while (running.get()) {
        for (String h : hosts) {
          w.post(
              "/discovery/renew",
              "env=ev&appid=" + appid + "&hostname=" + h,
              System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
        }
        try {
          Thread.sleep(30);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stopRenewing(List<String> silent) {
      hosts.removeAll(silent);
    }

    void finish() throws InterruptedException {
      running.set(false);
      join(10_000);
    }
  }

  private void register(int node, String appid, List<String> hosts) {
    for (String h : hosts) {
      Http.Response r =
          Http.postForm(
              cluster.url(node) + "/discovery/register",
              "zone=z&env=ev&appid=" + appid + "&hostname=" + h + "&addrs=http://10.2.0.1:80");
      assertThat(r.code()).as(r.body().toString()).isZero();
    }
  }

  private Set<String> hostsOn(int node, String appid) {
    Http.Response r =
        Http.get(cluster.url(node) + "/discovery/fetch?env=ev&appid=" + appid + "&status=3");
    Set<String> hosts = new HashSet<>();
    if (r.code() == 0) {
      r.data().path("instances").path("z").forEach(i -> hosts.add(i.path("hostname").asText()));
    }
    return hosts;
  }

  private static List<String> names(String prefix, int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(prefix + i);
    }
    return l;
  }

  @Test
  void anInstanceThatStopsRenewingIsEvictedAfterExpiryAndRenewingOnesNeverAre() {
    cluster = TestCluster.start(1, FAST);
    int leader = cluster.awaitReady();
    List<String> kept = names("kept", 10);
    register(leader, "app", kept);
    new Renewer("app", kept);
    long registered = System.nanoTime();
    register(leader, "app", List.of("silent"));

    await().atMost(Duration.ofSeconds(20)).until(() -> !hostsOn(leader, "app").contains("silent"));
    long evictedAfterMs = (System.nanoTime() - registered) / 1_000_000;

    assertThat(evictedAfterMs).as("not evicted before its expiry").isGreaterThanOrEqualTo(1000);
    assertThat(hostsOn(leader, "app")).containsExactlyInAnyOrderElementsOf(kept);
    assertThat(cluster.node(leader).raft().stateMachine().evictedTotal()).isEqualTo(1);
    // the eviction log says which, why, and from which entry
    JsonNode e = evictions(leader, "app").get(0);
    assertThat(e.path("hostname").asText()).isEqualTo("silent");
    assertThat(e.path("reason").asText()).isEqualTo("expired");
    assertThat(e.path("addrs").get(0).asText()).isEqualTo("http://10.2.0.1:80");
    assertThat(e.path("evicted_ts").asLong() - e.path("last_renew_ts").asLong())
        .as("evicted after its expiry")
        .isGreaterThan(TimeUnit.SECONDS.toNanos(1));
    assertThat(e.path("index").asLong()).isPositive();
    assertThat(e.path("term").asLong()).isPositive();
    assertThat(metric(leader, "roster_evictions_total{reason=\"expired\"}")).isEqualTo(1);
  }

  @Test
  void oneCheckNeverEvictsMoreThanFifteenPercentOfTheInstances() {
    cluster = TestCluster.start(1, FAST);
    int leader = cluster.awaitReady();
    List<String> kept = names("kept", 40);
    List<String> silent = names("silent", 20);
    register(leader, "cap", kept);
    register(leader, "cap", silent);
    new Renewer("cap", kept);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> hostsOn(leader, "cap").size() == kept.size());

    // 61 instances (with the node's own entry): cap = 61 - floor(61 x 0.85) = 10 per check; the
    // eviction log names the entry (the check) each eviction came from
    Map<Long, Integer> perCheck = new TreeMap<>();
    evictions(leader, "cap")
        .forEach(e -> perCheck.merge(e.path("index").asLong(), 1, Integer::sum));
    assertThat(perCheck.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
    assertThat(perCheck.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10));
    assertThat(perCheck).as("checks that evicted").hasSizeGreaterThanOrEqualTo(2);
    assertThat(hostsOn(leader, "cap")).containsExactlyInAnyOrderElementsOf(kept);
  }

  @Test
  void manySilentInstancesEngageSelfProtectionUntilTheCeiling() {
    cluster = TestCluster.start(1, FAST);
    int leader = cluster.awaitReady();
    List<String> all = names("i", 20);
    List<String> kept = all.subList(0, 4);
    List<String> silent = all.subList(4, 20);
    register(leader, "guard", all);
    Renewer renewer = new Renewer("guard", all);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                !status(leader).path("protected").asBoolean()
                    && status(leader).path("renews_last_window").asLong() > 0);

    long silenceStart = System.nanoTime();
    renewer.stopRenewing(silent);
    await("self-protection engages")
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(leader).path("protected").asBoolean());
    // well past the expiry (1 s) but before the ceiling (4 s): nothing evicted
    await()
        .atLeast(Duration.ZERO)
        .atMost(Duration.ofSeconds(10))
        .until(() -> System.nanoTime() - silenceStart > TimeUnit.MILLISECONDS.toNanos(2500));
    if (System.nanoTime() - silenceStart < TimeUnit.MILLISECONDS.toNanos(3900)) {
      assertThat(hostsOn(leader, "guard")).as("protected instances").containsAll(silent);
    }
    // the ceiling still evicts them, protection or not
    await("eviction ceiling")
        .atMost(Duration.ofSeconds(40))
        .until(() -> hostsOn(leader, "guard").size() == kept.size());
    assertThat(hostsOn(leader, "guard")).containsExactlyInAnyOrderElementsOf(kept);
    assertThat(System.nanoTime() - silenceStart).isGreaterThan(TimeUnit.SECONDS.toNanos(4));
    // logged as evicted past the ceiling, after the protection change that explains the wait;
    // once enough are gone the remaining renews may meet the lowered threshold again, and the
    // last ones go as plainly expired
    List<JsonNode> evicted = evictions(leader, "guard");
    assertThat(evicted).hasSize(silent.size());
    assertThat(evicted.get(evicted.size() - 1).path("reason").asText())
        .as("the first eviction")
        .isEqualTo("past_ceiling");
    assertThat(evicted)
        .allSatisfy(
            e -> {
              assertThat(e.path("reason").asText()).isIn("past_ceiling", "expired");
              if (e.path("reason").asText().equals("past_ceiling")) {
                assertThat(e.path("evicted_ts").asLong() - e.path("last_renew_ts").asLong())
                    .as("silent for longer than the ceiling")
                    .isGreaterThan(TimeUnit.SECONDS.toNanos(4));
              }
            });
    JsonNode on = protectionChanges(leader).get(protectionChanges(leader).size() - 1);
    assertThat(on.path("on").asBoolean()).isTrue();
    assertThat(on.path("renews").asLong()).isLessThan(on.path("threshold").asLong());
    assertThat(on.path("seq").asLong())
        .isLessThan(evicted.get(evicted.size() - 1).path("seq").asLong());
    long pastCeiling =
        evicted.stream().filter(e -> e.path("reason").asText().equals("past_ceiling")).count();
    assertThat(metric(leader, "roster_evictions_total{reason=\"past_ceiling\"}"))
        .isEqualTo(pastCeiling);
    assertThat(metric(leader, "roster_evictions_total{reason=\"expired\"}"))
        .isEqualTo(silent.size() - pastCeiling);
  }

  @Test
  void selfProtectionEndsWhenRenewsRecover() {
    cluster = TestCluster.start(1, FAST);
    int leader = cluster.awaitReady();
    List<String> all = names("r", 20);
    register(leader, "recover", all);
    Renewer renewer = new Renewer("recover", all.subList(0, 4));
    await("protection on")
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(leader).path("protected").asBoolean());
    renewer.hosts.addAll(all.subList(4, 20));
    await("protection off")
        .atMost(Duration.ofSeconds(20))
        .until(() -> !status(leader).path("protected").asBoolean());
    // both changes are logged, newest first, each with the renews and threshold that decided it
    await("the check that turned it off is logged")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !protectionChanges(leader).isEmpty()
                    && !protectionChanges(leader).get(0).path("on").asBoolean());
    List<JsonNode> changes = protectionChanges(leader);
    assertThat(changes).hasSizeGreaterThanOrEqualTo(2);
    JsonNode off = changes.get(0);
    JsonNode on = changes.get(1);
    assertThat(on.path("on").asBoolean()).isTrue();
    assertThat(on.path("renews").asLong()).isLessThan(on.path("threshold").asLong());
    assertThat(off.path("renews").asLong()).isGreaterThanOrEqualTo(off.path("threshold").asLong());
    assertThat(off.path("ts").asLong()).isGreaterThan(on.path("ts").asLong());
    JsonNode protection = Http.get(cluster.url(leader) + "/discovery/protection").data();
    assertThat(protection.path("protecting").asBoolean()).isFalse();
    assertThat(protection.path("since").asLong()).isEqualTo(off.path("ts").asLong());
    JsonNode windows = protection.path("windows");
    assertThat(windows.size()).isPositive();
    assertThat(windows.get(windows.size() - 1).path("protecting").asBoolean()).isFalse();
  }

  @Test
  void afterTheLeaderIsKilledNoRenewingInstanceIsEvictedAndGuardStateIsTheSameEverywhere() {
    cluster = TestCluster.start(3, FAST);
    int leader = cluster.awaitReady();
    List<String> kept = names("k", 15);
    register(leader, "failover", kept);
    new Renewer("failover", kept);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(leader).path("renews_last_window").asLong() > 0);

    cluster.killNode(leader);
    int newLeader = cluster.awaitLeader(Duration.ofSeconds(30));
    assertThat(newLeader).isNotEqualTo(leader);
    long since = System.nanoTime();
    // the new leader's grace (1 s) and several expiry periods of checks
    await()
        .atLeast(Duration.ZERO)
        .atMost(Duration.ofSeconds(30))
        .until(() -> System.nanoTime() - since > TimeUnit.SECONDS.toNanos(4));

    for (int node : cluster.followers(-1)) {
      assertThat(hostsOn(node, "failover"))
          .as("renewing instances on node %d", node)
          .containsExactlyInAnyOrderElementsOf(kept);
    }
    List<Integer> running = cluster.followers(-1);
    await("identical guard counters on every node")
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              JsonNode a = status(running.get(0));
              JsonNode b = status(running.get(1));
              return a.path("renews_last_window").equals(b.path("renews_last_window"))
                  && a.path("expected_renews").equals(b.path("expected_renews"))
                  && a.path("instances").equals(b.path("instances"));
            });
  }

  /** The eviction log's entries for {@code appid} in env ev, newest first. */
  private List<JsonNode> evictions(int node, String appid) {
    List<JsonNode> out = new ArrayList<>();
    Http.get(cluster.url(node) + "/discovery/evictions?env=ev&limit=1000&appid=" + appid)
        .data()
        .path("evictions")
        .forEach(out::add);
    return out;
  }

  private List<JsonNode> protectionChanges(int node) {
    List<JsonNode> out = new ArrayList<>();
    Http.get(cluster.url(node) + "/discovery/evictions")
        .data()
        .path("protection")
        .forEach(out::add);
    return out;
  }

  private long metric(int node, String series) {
    String text = Http.getText(cluster.url(node) + "/metrics");
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Long.parseLong(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series + " in /metrics");
  }

  private JsonNode status(int node) {
    return Http.get(cluster.url(node) + "/discovery/status").data();
  }
}
