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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
  }

  @Test
  void oneCheckNeverEvictsMoreThanFifteenPercentOfTheInstances() {
    cluster = TestCluster.start(1, FAST);
    int leader = cluster.awaitReady();
    List<Integer> perCheck = new CopyOnWriteArrayList<>();
    AtomicInteger instancesAtCheck = new AtomicInteger();
    cluster
        .node(leader)
        .evictor()
        .addCheckListener(
            (d, evicted) -> {
              perCheck.add(evicted);
              instancesAtCheck.set(
                  cluster
                      .node(leader)
                      .raft()
                      .stateMachine()
                      .read(r -> r.instanceCount())
                      .intValue());
            });
    List<String> kept = names("kept", 40);
    List<String> silent = names("silent", 20);
    register(leader, "cap", kept);
    register(leader, "cap", silent);
    new Renewer("cap", kept);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> hostsOn(leader, "cap").size() == kept.size());

    // 61 instances (with the node's own entry): cap = 61 - floor(61 x 0.85) = 10 per check
    assertThat(perCheck).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10));
    assertThat(perCheck.stream().filter(n -> n > 0).count())
        .as("checks that evicted")
        .isGreaterThanOrEqualTo(2);
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

  private JsonNode status(int node) {
    return Http.get(cluster.url(node) + "/discovery/status").data();
  }
}
