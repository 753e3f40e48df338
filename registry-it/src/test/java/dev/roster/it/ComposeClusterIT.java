package dev.roster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Calls;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.RetryingWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * deploy/docker-compose.yml as users run it, plus the example client service of
 * deploy/docker-compose.example.yml inside the compose network: images built from this build's
 * jars, containers killed and stopped for real. The scenarios run in order on one cluster.
 *
 * <p>With {@code ROSTER_DOCKER=required} or {@code CI=true} (as in .ci/run) anything that keeps
 * Docker or the containers from working fails the build; only without both, and without a usable
 * Docker with Compose v2, is the class skipped, with the reason. {@code ROSTER_BASE_IMAGE} passes
 * the image's base (CI builds one locally: no registry is reachable there).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeClusterIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> NODES =
      List.of("http://127.0.0.1:7171", "http://127.0.0.1:7172", "http://127.0.0.1:7173");
  private static final ComposeProject COMPOSE =
      new ComposeProject(ROOT, "deploy/docker-compose.yml", "deploy/docker-compose.example.yml");
  private static final Duration UP = Duration.ofMinutes(5);

  /** Appid of the instances whose registrations the write loops record. */
  private static final String WRITES = "compose.writes";

  @RegisterExtension
  static final TestWatcher LOGS_ON_FAILURE =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          System.err.println(
              "=== compose logs after " + context.getDisplayName() + " failed:\n" + COMPOSE.logs());
        }
      };

  @BeforeAll
  static void startTheClusterAndTheExample() {
    String unavailable = ComposeProject.unavailableReason();
    if (unavailable != null) {
      if (dockerRequired()) {
        fail(
            "Docker is required here (ROSTER_DOCKER=required or CI=true) but not usable: "
                + unavailable);
      }
      String reason =
          "ComposeClusterIT skipped: no usable Docker with Compose v2 ("
              + unavailable.strip()
              + "); set ROSTER_DOCKER=required to make this a failure";
      System.err.println(reason); // surefire's summary shows an aborted class as 0 tests, not why
      Assumptions.abort(reason);
    }
    for (String jar :
        List.of(
            "registry-node/target/roster-node.jar", "registry-example/target/roster-example.jar")) {
      assertThat(ROOT.resolve(jar)).as("the images copy %s: package it first", jar).exists();
    }
    try {
      // an earlier run's project (and its volumes) would hold the ports and old data
      COMPOSE.compose(Duration.ofMinutes(2), "down", "-v", "--remove-orphans");
      COMPOSE.compose(
          UP, "up", "-d", "--build", "--wait", "--wait-timeout", Long.toString(UP.toSeconds()));
      awaitOneLeaderKnownToAll();
    } catch (RuntimeException | AssertionError e) {
      System.err.println("=== compose logs after a failed start:\n" + COMPOSE.logs());
      throw e;
    }
  }

  @AfterAll
  static void removeTheProject() {
    if (ComposeProject.unavailableReason() == null) {
      COMPOSE.compose(Duration.ofMinutes(2), "down", "-v", "--remove-orphans");
      // the images this run replaced (a rebuild moves the tag, the old image stays dangling)
      COMPOSE.docker(
          Duration.ofMinutes(1), "image", "prune", "-f", "--filter", "label=dev.roster.image");
    }
  }

  private static boolean dockerRequired() {
    return "required".equals(System.getenv("ROSTER_DOCKER")) || "true".equals(System.getenv("CI"));
  }

  @Test
  @Order(1)
  void threeHealthyContainersAgreeOnOneLeader() {
    for (int n = 1; n <= 3; n++) {
      assertThat(COMPOSE.health("node" + n)).as("health of node%d", n).isEqualTo("healthy");
    }
    List<JsonNode> status =
        NODES.stream().map(u -> Http.get(u + "/cluster/status").data()).toList();
    assertThat(status).filteredOn(s -> s.path("role").asText().equals("leader")).hasSize(1);
    assertThat(status)
        .extracting(s -> s.path("leader").asText())
        .containsOnly(leaderRaftId(status));
  }

  @Test
  @Order(2)
  void registerThroughAFollowerIsRedirectedAndVisibleOnEveryNode() {
    // on a loaded machine leadership can move between reading it and writing: then try again
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              int leader = leaderIndex();
              int follower = (leader + 1) % 3;
              Http.Response redirect =
                  Calls.register(NODES.get(follower), "compose.app", "through-follower");
              assertThat(redirect.status()).isEqualTo(307);
              assertThat(redirect.code()).isEqualTo(-307);
              // the host reached the follower by its advertised URL, so it is sent to the leader's
              String location = redirect.headers().firstValue("Location").orElseThrow();
              assertThat(location).isEqualTo(NODES.get(leader) + "/discovery/register");
              Calls.ok(
                  Http.postForm(
                      location, registerForm(Calls.ENV, "compose.app", "through-follower")));
            });
    for (String node : NODES) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Calls.lists(Calls.fetch(node, "compose.app", false), "through-follower"));
    }
  }

  @Test
  @Order(3)
  void leaderKillLosesNoAcknowledgedWriteAndTheExampleKeepsRenewingAndWatching() throws Exception {
    allContainersUp();
    registerPeer("peer-before");
    awaitExampleSees("peer-before");

    int leader = leaderIndex();
    String killed = "node" + (leader + 1);
    List<String> survivors = without(leader);
    List<String> acknowledged;
    long killedAtNanos;
    try (WriteLoop writes = new WriteLoop("kill")) {
      writes.awaitAcknowledged(5);
      killedAtNanos = System.currentTimeMillis() * 1_000_000L;
      COMPOSE.docker(Duration.ofSeconds(60), "kill", COMPOSE.containerId(killed));
      int atKill = writes.acknowledged().size();
      // writes resume through the survivors
      writes.awaitAcknowledged(atKill + 20);
      registerPeer("peer-after");
      acknowledged = writes.stop();
      System.out.printf(
          "docker kill %s: %d writes acknowledged, %d failed%n",
          killed, acknowledged.size(), writes.failed().size());
    }
    assertThat(leaderIndex()).isNotEqualTo(leader);
    awaitExampleSees("peer-after", "peer-before");
    // the example renews through the new leader (renew_timestamp is the leader's clock, this
    // host's)
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> exampleRenewedAt(survivors.get(0)) > killedAtNanos);
    for (String node : survivors) {
      awaitServes(node, acknowledged);
    }

    COMPOSE.docker(Duration.ofSeconds(60), "start", COMPOSE.containerId(killed));
    await()
        .atMost(UP)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> "healthy".equals(COMPOSE.health(killed)));
    awaitServes(NODES.get(leader), acknowledged);
    assertThat(Calls.lists(fetch(NODES.get(leader), "compose", "compose.peer"), "peer-after"))
        .isTrue();
  }

  @Test
  @Order(4)
  void leaderStopUnderWritesFailsAndLosesNoWrite() throws Exception {
    allContainersUp();
    int leader = leaderIndex();
    String stopped = "node" + (leader + 1);
    List<String> acknowledged;
    try (WriteLoop writes = new WriteLoop("stop")) {
      writes.awaitAcknowledged(5);
      COMPOSE.docker(Duration.ofSeconds(60), "stop", "-t", "10", COMPOSE.containerId(stopped));
      writes.awaitAcknowledged(writes.acknowledged().size() + 20);
      acknowledged = writes.stop();
      System.out.printf(
          "docker stop %s: %d writes acknowledged, %d failed%n",
          stopped, acknowledged.size(), writes.failed().size());
      assertThat(writes.failed())
          .as("writes that got no code 0 within their retry budget")
          .isEmpty();
    }
    for (String node : without(leader)) {
      awaitServes(node, acknowledged);
    }
    COMPOSE.docker(Duration.ofSeconds(60), "start", COMPOSE.containerId(stopped));
    await()
        .atMost(UP)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> "healthy".equals(COMPOSE.health(stopped)));
    awaitServes(NODES.get(leader), acknowledged);
  }

  @Test
  @Order(5)
  void downAndUpKeepsTheDataInTheNamedVolumes() {
    List<String> kept = IntStream.rangeClosed(1, 5).mapToObj(i -> "kept-" + i).toList();
    RetryingWriter writer = new RetryingWriter(NODES);
    for (String hostname : kept) {
      assertThat(write(writer, Calls.ENV, "compose.kept", hostname))
          .as("register %s", hostname)
          .isTrue();
    }
    COMPOSE.compose(Duration.ofMinutes(2), "down");
    COMPOSE.compose(UP, "up", "-d", "--wait", "--wait-timeout", Long.toString(UP.toSeconds()));
    awaitOneLeaderKnownToAll();
    for (String node : NODES) {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(hostnames(Calls.fetch(node, "compose.kept", false)))
                      .containsAll(kept));
    }
  }

  // ---- the cluster, seen from the host

  /**
   * Starts whatever an earlier scenario left killed or stopped, so each fault starts from three.
   */
  private static void allContainersUp() {
    COMPOSE.compose(UP, "up", "-d", "--wait", "--wait-timeout", Long.toString(UP.toSeconds()));
    awaitOneLeaderKnownToAll();
  }

  private static void awaitOneLeaderKnownToAll() {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              List<JsonNode> status =
                  NODES.stream().map(u -> Http.get(u + "/cluster/status").data()).toList();
              String leader = leaderRaftId(status);
              return leader != null
                  && status.stream().allMatch(s -> s.path("leader").asText().equals(leader));
            });
  }

  private static String leaderRaftId(List<JsonNode> status) {
    return status.stream()
        .filter(s -> s.path("role").asText().equals("leader"))
        .map(s -> s.path("id").asText())
        .findFirst()
        .orElse(null);
  }

  /** The node that says it leads; a node that is down (killed, stopped) is skipped, not fatal. */
  private static int leaderIndex() {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (int i = 0; i < NODES.size(); i++) {
                try {
                  if (Http.get(NODES.get(i) + "/cluster/status")
                      .data()
                      .path("role")
                      .asText()
                      .equals("leader")) {
                    return i;
                  }
                } catch (UncheckedIOException e) {
                  // down: ask the next one
                }
              }
              return -1;
            },
            i -> i >= 0);
  }

  private static List<String> without(int index) {
    List<String> rest = new ArrayList<>(NODES);
    rest.remove(index);
    return rest;
  }

  private static void awaitServes(String node, List<String> hostnames) {
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(hostnames(Calls.fetch(node, WRITES, false)))
                    .as("%s serves every acknowledged write", node)
                    .containsAll(hostnames));
  }

  private static Set<String> hostnames(Http.Response fetch) {
    Set<String> names = new TreeSet<>();
    fetch
        .data()
        .path("instances")
        .forEach(zone -> zone.forEach(i -> names.add(i.path("hostname").asText())));
    return names;
  }

  private static Http.Response fetch(String node, String env, String appid) {
    return Http.get(node + "/discovery/fetch?env=" + env + "&appid=" + Calls.enc(appid));
  }

  // ---- the example service (registry-example in its container)

  private static void registerPeer(String hostname) {
    assertThat(write(new RetryingWriter(NODES), "compose", "compose.peer", hostname))
        .as("register compose.peer %s", hostname)
        .isTrue();
  }

  /** Its log has the line it writes when its watch of compose.peer shows exactly these. */
  private static void awaitExampleSees(String... peers) {
    String line = "watch compose.peer: " + List.of(peers);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(COMPOSE.compose(Duration.ofSeconds(30), "logs", "--no-color", "example"))
                    .contains(line));
  }

  private static long exampleRenewedAt(String node) {
    JsonNode instances = fetch(node, "compose", "compose.example").data().path("instances");
    for (JsonNode zone : instances) {
      for (JsonNode instance : zone) {
        return instance.path("renew_timestamp").asLong();
      }
    }
    return 0;
  }

  // ---- writes as a client sends them

  private static String registerForm(String env, String appid, String hostname) {
    return "zone="
        + Calls.ZONE
        + "&env="
        + env
        + "&appid="
        + Calls.enc(appid)
        + "&hostname="
        + Calls.enc(hostname)
        + "&addrs="
        + Calls.enc("http://" + hostname + ":8080");
  }

  /**
   * A register retried like a client (307 followed, -503 and transport errors retried), 10 s
   * budget.
   */
  private static boolean write(RetryingWriter writer, String env, String appid, String hostname) {
    Http.Response r =
        writer.post(
            "/discovery/register",
            registerForm(env, appid, hostname),
            System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    return r != null && r.code() == 0;
  }

  /** Registers {@code WRITES} instances one after the other and records which were acknowledged. */
  private static final class WriteLoop implements AutoCloseable {
    private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failed = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    WriteLoop(String prefix) {
      RetryingWriter writer = new RetryingWriter(NODES);
      thread =
          new Thread(
              () -> {
                for (int i = 0; running; i++) {
                  String hostname = prefix + "-" + i;
                  (write(writer, Calls.ENV, WRITES, hostname) ? acknowledged : failed)
                      .add(hostname);
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "compose-writes-" + prefix);
      thread.start();
    }

    void awaitAcknowledged(int count) {
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= count);
    }

    List<String> acknowledged() {
      return List.copyOf(acknowledged);
    }

    List<String> failed() {
      return List.copyOf(failed);
    }

    /** Stops after the write in flight; returns every acknowledged hostname. */
    List<String> stop() throws InterruptedException {
      running = false;
      thread.join(TimeUnit.SECONDS.toMillis(15));
      assertThat(thread.isAlive()).as("write loop stopped").isFalse();
      return acknowledged();
    }

    @Override
    public void close() throws InterruptedException {
      if (thread.isAlive()) {
        stop();
      }
    }
  }
}
