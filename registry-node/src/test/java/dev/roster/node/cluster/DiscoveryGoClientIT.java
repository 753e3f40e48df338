package dev.roster.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.node.testing.Http;
import dev.roster.node.testing.NamingClient;
import dev.roster.node.testing.ProcessCluster;
import dev.roster.node.testing.RetryingWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that behaves as discovery's Go client does on the wire ({@link NamingClient}) keeps its
 * instance registered against a real 3-node cluster through what makes such a client lose it: an
 * eviction, a cancel behind its back and a leader killed with SIGKILL. It starts in env {@code
 * prod} and finds the nodes through {@code infra.discovery}, as its {@code New()} does. With -404
 * sent as HTTP 404, it never saw the -404 and never registered again.
 */
@Timeout(240)
class DiscoveryGoClientIT {
  /** Fast registry timings: eviction within seconds, even under self-protection (the ceiling). */
  private static final Map<String, String> FAST =
      Map.of(
          "renew-interval", "100ms",
          "evict-interval", "250ms",
          "expire", "1s",
          "evict-ceiling", "3s");

  private static final String APP = "go.service";
  private static final String HOST = "go-host-1";
  private static final List<String> ADDRS = List.of("grpc://10.0.0.7:9000", "http://10.0.0.7:8000");
  private static final Map<String, String> METADATA = Map.of("weight", "10");

  /** Bounds of the waits, generous for 2 shared cores; not performance claims. */
  private static final Duration SOON = Duration.ofSeconds(30);

  @Test
  void aDiscoveryClientKeepsItsRegistrationThroughEvictionCancelAndLeaderKill() throws Exception {
    try (ProcessCluster c = ProcessCluster.start(3, FAST)) {
      c.awaitReady(Duration.ofSeconds(60));
      NamingClient client =
          new NamingClient(List.of(c.url(0)), "region-a", "default", "prod", HOST);

      // New(): the nodes, from infra.discovery in the client's own env, while its app is not
      // deployed yet
      assertThat(client.bootstrap(SOON, APP)).containsExactlyInAnyOrderElementsOf(c.urls());
      assertThat(client.register(APP, ADDRS, METADATA)).isTrue();
      AtomicBoolean renewing = new AtomicBoolean(true);
      AtomicBoolean stop = new AtomicBoolean();
      Thread ticker =
          new Thread(
              () -> {
                while (!stop.get()) {
                  if (renewing.get()) {
                    client.renewOnce(APP, ADDRS, METADATA);
                  }
                  sleep(100);
                }
              },
              "go-client-ticker");
      ticker.start();
      try {
        awaitRegisteredEverywhere(c, "registered");
        // the Go client decodes region, zone and addrs from the records it fetches
        assertThat(c.instance(0, "prod", APP, HOST).orElseThrow().path("region").asText())
            .isEqualTo("region-a");

        // an eviction: the client paused (a long GC, a frozen VM) and comes back
        renewing.set(false);
        await("evicted while the client was silent")
            .atMost(SOON)
            .ignoreExceptions()
            .until(() -> noRunningNodeHas(c));
        int registersBefore = client.registers.get();
        renewing.set(true);
        awaitRegisteredEverywhere(c, "registered again after the eviction");
        assertThat(client.registers.get()).isGreaterThan(registersBefore);

        // a cancel behind its back (an operator, a duplicate hostname on another machine)
        Http.Response cancelled =
            new RetryingWriter(c.urls())
                .post(
                    "/discovery/cancel",
                    "zone=default&env=prod&appid=" + APP + "&hostname=" + HOST,
                    System.nanoTime() + 20_000_000_000L);
        assertThat(cancelled).isNotNull();
        assertThat(cancelled.code()).as(cancelled.body().toString()).isZero();
        awaitRegisteredEverywhere(c, "registered again after the cancel");

        // the leader dies
        int leader = c.awaitLeader(SOON);
        c.kill(leader);
        int renewsAtKill = client.renewed.get();
        await("renews succeed again after the leader was killed")
            .atMost(SOON)
            .until(() -> client.renewed.get() > renewsAtKill + 5);
        awaitRegisteredEverywhere(c, "still registered after the leader kill");

        assertThat(client.httpErrors.get())
            .as("answers with an HTTP status >= 400, which a discovery client cannot read")
            .isZero();
      } finally {
        stop.set(true);
        ticker.join(10_000);
      }
    }
  }

  private static void awaitRegisteredEverywhere(ProcessCluster c, String alias) {
    await(alias)
        .atMost(SOON)
        .ignoreExceptions()
        .until(() -> c.everyRunningNodeHas("prod", APP, HOST));
  }

  private static boolean noRunningNodeHas(ProcessCluster c) {
    for (int i = 0; i < c.size(); i++) {
      if (c.isRunning(i) && c.instance(i, "prod", APP, HOST).isPresent()) {
        return false;
      }
    }
    return true;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
