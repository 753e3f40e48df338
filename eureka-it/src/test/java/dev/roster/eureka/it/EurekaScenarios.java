package dev.roster.eureka.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.ProcessCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issue-15 scenarios with real Spring Boot apps (one client generation per subclass) against
 * one 3-node Roster cluster of node processes, every node in each app's defaultZone.
 *
 * <p>Starting a Spring app takes 5–15 s here, so the class starts the cluster and two apps, A and
 * B, once, and runs the scenarios in order on them; a third app, C, starts in scenario 4 and is
 * stopped by SIGTERM in the last. Each scenario first waits for the baseline (A and B see each
 * other), and each one that changes state restores it, so a failure names its own scenario. A is
 * configured with the bare {@code /eureka/} (the nodes' {@code --eureka-env}) and the leader first
 * in its list; B and C with {@code /eureka/dev/} and a follower first (its writes are forwarded to
 * the leader).
 *
 * <p>Timing. The apps renew and fetch every 3 s (eureka-probe's application.properties). Where the
 * issue says "within one renew interval" or "within two fetch intervals", the bound is that plus
 * {@link #MARGIN}: the machine has 2 cores shared by the 3 nodes, 3 Spring apps and Maven, so a
 * Raft commit or a client's timer can lag by seconds. Every other wait is bounded ({@link #WAIT},
 * {@link #START}) and polls; nothing asserts a duration from below.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class EurekaScenarios {
  static final String ENV = "dev";
  static final Duration RENEW = Duration.ofSeconds(3); // eureka.instance.lease-renewal-interval
  static final Duration FETCH = Duration.ofSeconds(3); // eureka.client.registry-fetch-interval
  static final Duration MARGIN = Duration.ofSeconds(12);
  static final Duration START = Duration.ofSeconds(120);
  static final Duration READY = Duration.ofSeconds(60);
  static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * Node settings: the probes renew every 3 s; an instance silent for 12 s expires (so a broken
   * renew path shows as an eviction within the leader-crash scenario's window); a 6 s eviction
   * window expects 2 renews per instance, so self-protection stays off while renews flow.
   */
  static Map<String, String> nodeSettings(String eurekaEnv) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("eureka-env", eurekaEnv);
    s.put("renew-interval", "3s");
    s.put("evict-interval", "6s");
    s.put("expire", "12s");
    s.put("shutdown-grace", "2s");
    return s;
  }

  private static final Logger log = LoggerFactory.getLogger(EurekaScenarios.class);

  private final Generation gen;
  private ProcessCluster nodes;
  private Roster roster;
  private Keeper keeper;
  private Path logs;
  private int firstLeader;
  private Probe a;
  private Probe b;
  private Probe c;

  EurekaScenarios(Generation gen) {
    this.gen = gen;
  }

  static Path nodeJar() {
    return Path.of(
        System.getProperty("roster.node.jar", "../registry-node/target/roster-node.jar"));
  }

  static Path logDir(String name) {
    return Path.of(System.getProperty("eureka.it.logs", "target/eureka-it")).resolve(name);
  }

  @BeforeAll
  void startClusterAndTwoApps() {
    logs = logDir(getClass().getSimpleName());
    keeper = new Keeper();
    nodes = ProcessCluster.start(nodeJar(), 3, nodeSettings(ENV));
    firstLeader = nodes.awaitReady(READY);
    roster = new Roster(nodes);
    a = Probe.start(gen, "probe-a", "127.0.0.2", "z-a", serviceUrls(firstLeader, "/eureka/"), logs);
    b =
        Probe.start(
            gen, "probe-b", "127.0.0.3", "z-b", serviceUrls(follower(), eurekaPath()), logs);
    a.awaitStarted(START);
    b.awaitStarted(START);
  }

  @AfterAll
  void stopEverything() {
    for (Probe p : new Probe[] {a, b, c}) {
      if (p != null) {
        p.close();
      }
    }
    if (keeper != null) {
      keeper.close();
    }
    if (nodes != null) {
      saveNodeLogs(nodes, logs);
      nodes.close();
    }
  }

  @Test
  @Order(1)
  void twoAppsRegisterAndFindEachOther() {
    awaitBaseline();
    assertPeer(a.peers(b.app), b);
    assertPeer(b.peers(a.app), a);
  }

  @Test
  @Order(2)
  void bothServiceUrlFormsServeTheDelta() {
    awaitBaseline();
    // A fetches through /eureka/apps/delta, B through /eureka/dev/apps/delta: once an app holds
    // a non-empty registry every fetch is a delta (EurekaDeltaIT checks the delta path at length)
    for (Probe p : List.of(a, b)) {
      int mark = p.mark();
      await(p + " applies deltas")
          .atMost(FETCH.multipliedBy(2).plus(MARGIN))
          .until(() -> p.count(Probe.DELTA, mark) >= 2 || p.count(Probe.DELTA_REFUSED, mark) >= 2);
      assertThat(p.count(Probe.DELTA_REFUSED, mark))
          .as(
              p
                  + ": delta fetches that did not answer 200 (the client then fetched all):\n"
                  + p.lines(mark, Probe.DELTA_REFUSED, Probe.DELTA))
          .isZero();
    }
  }

  @Test
  @Order(3)
  void discoveryApiInstancesReachSpringAndSpringAppsReachTheDiscoveryApi() {
    awaitBaseline();
    // Roster-native instances, as a discovery (Go/Java) client registers them: appid lower case
    // (the WAITING one first: when native-1 shows, the app has fetched native-2 too)
    registerNative("native-svc", "native-2", "zn", 2, "{}", "http://127.0.0.10:9010");
    registerNative(
        "native-svc", "native-1", "zn", 1, "{\"color\":\"green\"}", "http://127.0.0.9:9009");

    await("A and B see native-1 (and not native-2, which is WAITING)")
        .atMost(2 * FETCH.toSeconds() + MARGIN.toSeconds(), TimeUnit.SECONDS)
        .ignoreExceptions()
        .until(() -> !a.peers("native-svc").isEmpty() && !b.peers("native-svc").isEmpty());
    for (Probe p : List.of(a, b)) {
      JsonNode peers = p.peers("native-svc");
      assertThat(peers).as(p + " sees " + peers).hasSize(1);
      JsonNode n = peers.get(0);
      assertThat(n.path("instanceId").asText()).isEqualTo("native-1");
      assertThat(n.path("host").asText()).isEqualTo("127.0.0.9");
      assertThat(n.path("port").asInt()).isEqualTo(9009);
      assertThat(n.path("uri").asText()).isEqualTo("http://127.0.0.9:9009");
      assertThat(n.path("metadata").path("zone").asText()).as("zone in metadata").isEqualTo("zn");
      assertThat(n.path("metadata").path("color").asText()).isEqualTo("green");
    }

    // the Spring apps, as the discovery API serves them on every node (reads are local)
    for (Probe p : List.of(a, b)) {
      await(p + " in /discovery/fetchs on every node")
          .atMost(WAIT)
          .ignoreExceptions()
          .until(() -> roster.everyRunningNodeHas(ENV, p.app, p.instanceId()));
      for (int i = 0; i < nodes.size(); i++) {
        JsonNode inst = roster.instance(i, ENV, p.app, p.instanceId()).orElseThrow();
        assertThat(inst.path("zone").asText()).as(inst.toString()).isEqualTo(p.zone);
        assertThat(inst.path("status").asInt()).as(inst.toString()).isEqualTo(1);
        List<String> addrs = new ArrayList<>();
        inst.path("addrs").forEach(x -> addrs.add(x.asText()));
        assertThat(addrs).as(inst.toString()).contains(p.addr());
      }
    }
  }

  @Test
  @Order(4)
  void aStartingSpringAppWakesADiscoveryLongPoll() throws Exception {
    awaitBaseline();
    int node = follower();
    // probe-c does not exist yet: the poll parks until it appears
    CompletableFuture<JsonNode> poll =
        roster.poll(node, ENV, "probe-c", 0, Duration.ofSeconds(200));
    Thread.sleep(1000);
    assertThat(poll).as("the poll parks while probe-c does not exist").isNotDone();

    c =
        Probe.start(
            gen, "probe-c", "127.0.0.4", "z-c", serviceUrls(follower(), eurekaPath()), logs);
    JsonNode answer = poll.get(START.toSeconds() + 30, TimeUnit.SECONDS);
    assertThat(answer.path("code").asInt()).as(answer.toString()).isZero();
    List<String> woke = new ArrayList<>();
    answer
        .path("data")
        .path("probe-c")
        .path("instances")
        .path("z-c")
        .forEach(i -> woke.add(i.path("hostname").asText()));
    c.awaitStarted(START);
    assertThat(woke).as(answer.toString()).containsExactly(c.instanceId());
    await("A and B see C").atMost(WAIT).ignoreExceptions().until(() -> a.sees(c) && b.sees(c));
    assertPeer(a.peers(c.app), c);
  }

  @Test
  @Order(5)
  void anInstanceCancelledBehindItsBackRegistersAgainWithinOneRenewInterval() {
    awaitBaseline();
    int mark = b.mark();
    long before = regTimestamp(nodes.awaitLeader(READY), b);
    roster.cancel(ENV, b.app, b.instanceId());
    long cancelled = System.nanoTime();
    // its next renew (≤ 3 s later) gets 404 and the client registers again at once: a new
    // registration (a new reg_timestamp) on every node
    await(b + " registered again within one renew interval + margin")
        .atMost(RENEW.plus(MARGIN))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> registeredAgainOnEveryRunningNode(b, before));
    log.info(
        "{}: {} back {} ms after the cancel",
        gen,
        b,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelled));
    Roster.sleep(RENEW.toMillis() + 1000); // a second re-register would show by now
    assertThat(b.count(Probe.RE_REGISTERING, mark))
        .as("re-registers after a renew's 404:\n" + b.lines(mark, "Re-registering", "registration"))
        .isEqualTo(1);
    awaitBaseline();
  }

  @Test
  @Order(6)
  void outOfServiceOverrideHidesTheAppUntilCancelled() {
    awaitBaseline();
    // EurekaServiceRegistry.setStatus: PUT apps/PROBE-A/{id}/status?value=OUT_OF_SERVICE
    assertThat(a.setRegistryStatus("OUT_OF_SERVICE")).isEqualTo(200);
    await("B stops seeing A within two fetch intervals + margin")
        .atMost(FETCH.multipliedBy(2).plus(MARGIN))
        .ignoreExceptions()
        .until(() -> !b.sees(a));
    await("every node has A as WAITING")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> statusOnEveryRunningNode(a) == 2);
    // GET /actuator/serviceregistry asks the server: GET apps/PROBE-A/{id}
    await("the actuator reports the server's OUT_OF_SERVICE")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> "OUT_OF_SERVICE".equals(a.registryStatus().path("status").asText()));
    log.info("{}: /actuator/serviceregistry under the override: {}", gen, a.registryStatus());
    // an override is sticky: A's own renews (status=UP) leave it in place
    await("A stays hidden across two renews")
        .during(RENEW.multipliedBy(2).plus(FETCH))
        .atMost(RENEW.multipliedBy(2).plus(FETCH).plus(MARGIN))
        .ignoreExceptions()
        .until(() -> !b.sees(a) && statusOnEveryRunningNode(a) == 2);

    // CANCEL_OVERRIDE: DELETE apps/PROBE-A/{id}/status
    assertThat(a.setRegistryStatus("CANCEL_OVERRIDE")).isEqualTo(200);
    await("B sees A again within a renew and two fetch intervals + margin")
        .atMost(RENEW.plus(FETCH.multipliedBy(2)).plus(MARGIN))
        .ignoreExceptions()
        .until(() -> b.sees(a));
    await("every node has A as UP again")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> statusOnEveryRunningNode(a) == 1);
    assertThat(a.registryStatus().path("status").asText()).isEqualTo("UP");
  }

  @Test
  @Order(7)
  void sigkilledLeaderLeavesEveryAppRegisteredAndDiscoverable() {
    awaitBaseline();
    List<Probe> apps = new ArrayList<>(List.of(a, b));
    if (c != null && c.isAlive()) {
      apps.add(c);
    }
    int leader = nodes.awaitLeader(READY);
    Map<Probe, Long> registered = new LinkedHashMap<>();
    Map<Probe, Integer> marks = new LinkedHashMap<>();
    for (Probe p : apps) {
      registered.put(p, regTimestamp(leader, p));
      marks.put(p, p.mark());
    }

    long killedAt = System.currentTimeMillis();
    nodes.kill(leader);
    int newLeader = nodes.awaitReady(READY);
    log.info(
        "{}: leader {} killed, {} leads after {} ms",
        gen,
        leader,
        newLeader,
        System.currentTimeMillis() - killedAt);

    // Long enough that a broken renew path would show: the new leader evicts nothing for its
    // first `expire` (12 s), then evicts what has not renewed for 12 s, checking every 6 s.
    Duration window = Duration.ofSeconds(12 + 12 + 6);
    List<String> gaps = new ArrayList<>();
    long end = System.nanoTime() + window.toNanos();
    int samples = 0;
    while (System.nanoTime() < end && samples < 200) {
      samples++;
      for (Probe p : apps) {
        for (int i = 0; i < nodes.size(); i++) {
          try {
            if (nodes.isRunning(i) && roster.instance(i, ENV, p.app, p.instanceId()).isEmpty()) {
              gaps.add(
                  "node "
                      + i
                      + " lacks "
                      + p
                      + " at +"
                      + (System.currentTimeMillis() - killedAt)
                      + " ms");
            }
          } catch (RuntimeException e) {
            gaps.add("node " + i + " fetch failed: " + e.getMessage());
          }
        }
        for (Probe q : apps) {
          try {
            if (q != p && !q.sees(p)) {
              gaps.add(
                  q.app
                      + " does not see "
                      + p
                      + " at +"
                      + (System.currentTimeMillis() - killedAt)
                      + " ms");
            }
          } catch (RuntimeException e) {
            gaps.add(q.app + " did not answer: " + e.getMessage());
          }
        }
      }
      Roster.sleep(500);
    }
    assertThat(gaps)
        .as("every app registered on every node and seen by the others throughout")
        .isEmpty();

    for (Probe p : apps) {
      JsonNode inst = roster.instance(newLeader, ENV, p.app, p.instanceId()).orElseThrow();
      assertThat(inst.path("renew_timestamp").asLong() / 1_000_000)
          .as(p + " renewed through the new leader: " + inst)
          .isGreaterThan(killedAt);
      assertThat(inst.path("reg_timestamp").asLong())
          .as(p + " neither evicted nor cancelled (its first registration kept): " + inst)
          .isEqualTo(registered.get(p));
      assertThat(p.count(Probe.REGISTERING, marks.get(p)))
          .as(
              p
                  + " registers at most once more:\n"
                  + p.lines(
                      marks.get(p), "registering", "registration", "Re-registering", "heartbeat"))
          .isLessThanOrEqualTo(1);
    }

    nodes.startNode(leader); // the next scenario has three nodes again
    nodes.awaitReady(READY);
  }

  @Test
  @Order(8)
  void sigtermedAppGoesDownThenAwayFromItsPeersWithinTwoFetchIntervals() {
    awaitBaseline();
    if (c == null || !c.isAlive()) {
      c =
          Probe.start(
              gen, "probe-c", "127.0.0.4", "z-c", serviceUrls(follower(), eurekaPath()), logs);
      c.awaitStarted(START);
    }
    await("A and B see C").atMost(WAIT).ignoreExceptions().until(() -> a.sees(c) && b.sees(c));
    int mark = c.mark();

    c.terminate();
    long termed = System.nanoTime();
    await("A and B stop seeing C within two fetch intervals + margin")
        .atMost(FETCH.multipliedBy(2).plus(MARGIN))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> !a.sees(c) && !b.sees(c));
    log.info(
        "{}: {} gone from its peers' views {} ms after SIGTERM",
        gen,
        c,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termed));
    c.awaitExit(WAIT);
    await("no node has C")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> roster.noRunningNodeHas(ENV, c.app, c.instanceId()));

    // what the client did: status DOWN, sent as a register, then the cancel (DELETE)
    String shutdown = c.log().substring(mark);
    String lines =
        c.lines(mark, "status change", "registration status", "deregister", "Unregistering");
    int down = shutdown.indexOf("current=DOWN");
    int downSent = down < 0 ? -1 : shutdown.indexOf("registration status: 204", down);
    int cancelled = shutdown.indexOf("deregister  status: 200");
    assertThat(down).as("C went DOWN:\n" + lines).isNotNegative();
    assertThat(downSent).as("C's DOWN register answered 204:\n" + lines).isNotNegative();
    assertThat(cancelled)
        .as("C's cancel answered 200, after the DOWN:\n" + lines)
        .isGreaterThan(downSent);
  }

  // ---- helpers

  private void awaitBaseline() {
    await("baseline: A and B see each other")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> a.sees(b) && b.sees(a));
  }

  private String eurekaPath() {
    return "/eureka/" + ENV + "/";
  }

  /** A running node that does not lead now. */
  private int follower() {
    int leader = nodes.awaitLeader(READY);
    for (int i = 0; i < nodes.size(); i++) {
      if (i != leader && nodes.isRunning(i)) {
        return i;
      }
    }
    throw new IllegalStateException("no running follower");
  }

  /** Every node's Eureka URL, node {@code first} first, then the others in index order. */
  private List<String> serviceUrls(int first, String path) {
    List<String> urls = new ArrayList<>();
    urls.add(nodes.url(first) + path);
    for (int i = 0; i < nodes.size(); i++) {
      if (i != first) {
        urls.add(nodes.url(i) + path);
      }
    }
    return urls;
  }

  private void registerNative(
      String appid, String hostname, String zone, int status, String metadata, String addr) {
    roster.register(ENV, appid, hostname, zone, status, metadata, addr);
    keeper.every(
        RENEW,
        appid + "/" + hostname,
        () -> {
          if (!roster.renew(ENV, appid, hostname)) {
            roster.register(ENV, appid, hostname, zone, status, metadata, addr);
          }
        });
  }

  private boolean registeredAgainOnEveryRunningNode(Probe p, long before) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.isRunning(i)
          && roster
              .instance(i, ENV, p.app, p.instanceId())
              .filter(x -> x.path("reg_timestamp").asLong() > before)
              .isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The status every running node has for the app (1 or 2), or -1 if they differ or lack it. */
  private int statusOnEveryRunningNode(Probe p) {
    int status = -1;
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.isRunning(i)) {
        continue;
      }
      int s =
          roster
              .instance(i, ENV, p.app, p.instanceId())
              .map(x -> x.path("status").asInt())
              .orElse(-1);
      if (s == -1 || (status != -1 && s != status)) {
        return -1;
      }
      status = s;
    }
    return status;
  }

  private long regTimestamp(int node, Probe p) {
    return roster
        .instance(node, ENV, p.app, p.instanceId())
        .orElseThrow()
        .path("reg_timestamp")
        .asLong();
  }

  /** What Spring's DiscoveryClient.getInstances returns for {@code p}: exactly p, as registered. */
  static void assertPeer(JsonNode peers, Probe p) {
    assertThat(peers).as("instances of " + p.app + ": " + peers).hasSize(1);
    JsonNode i = peers.get(0);
    assertThat(i.path("instanceId").asText()).isEqualTo(p.instanceId());
    assertThat(i.path("serviceId").asText()).isEqualToIgnoringCase(p.app);
    assertThat(i.path("host").asText()).isEqualTo(p.ip);
    assertThat(i.path("port").asInt()).isEqualTo(p.port);
    assertThat(i.path("secure").asBoolean()).isFalse();
    assertThat(i.path("uri").asText()).isEqualTo(p.addr());
    assertThat(i.path("metadata").path("zone").asText()).as("zone: " + i).isEqualTo(p.zone);
  }

  static void saveNodeLogs(ProcessCluster nodes, Path dir) {
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < nodes.size(); i++) {
        Files.writeString(dir.resolve("node" + i + ".log"), nodes.log(i));
      }
    } catch (IOException e) {
      log.warn("could not save the node logs: {}", e.toString());
    }
  }
}
