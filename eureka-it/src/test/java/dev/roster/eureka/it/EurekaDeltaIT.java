package dev.roster.eureka.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.node.testing.ProcessCluster;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delta path over minutes of churn ({@code eureka.it.churn}, default 2 min): a Boot 3 and a
 * Boot 4 app (both generations in one run, so the two minutes are spent once) watch a registry
 * where other instances register, change status and cancel every second, through the discovery API
 * and through the Eureka API (with every Eureka status, so the hash code counts several).
 *
 * <p>Each app must do exactly one full fetch (at startup; the registry is not empty then, so every
 * later fetch is a delta), apply deltas all along, never find a hash-code mismatch after one (the
 * client's own reconcile check), and end with the same instances the nodes have.
 */
class EurekaDeltaIT {
  private static final Logger log = LoggerFactory.getLogger(EurekaDeltaIT.class);
  private static final String ENV = "churn";
  private static final Duration FETCH = EurekaScenarios.FETCH;
  private static final String[] EUREKA_STATUSES = {"UP", "DOWN", "STARTING", "OUT_OF_SERVICE"};

  @Test
  void bothGenerationsStayOnTheDeltaPathThroughChurn() {
    Duration churn = Duration.parse(System.getProperty("eureka.it.churn", "PT2M"));
    Path logs = EurekaScenarios.logDir(getClass().getSimpleName());
    ProcessCluster nodes =
        ProcessCluster.start(EurekaScenarios.nodeJar(), 3, EurekaScenarios.nodeSettings(ENV));
    List<Probe> probes = new ArrayList<>();
    try (Keeper keeper = new Keeper()) {
      int leader = nodes.awaitReady(EurekaScenarios.READY);
      Roster roster = new Roster(nodes);
      // the registry is not empty when the apps first fetch it: later fetches are all deltas
      roster.register(ENV, "anchor-svc", "anchor-1", "z-n", 1, "{}", "http://127.0.0.20:9000");
      keeper.every(
          EurekaScenarios.RENEW, "anchor", () -> roster.renew(ENV, "anchor-svc", "anchor-1"));

      List<String> urls = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        urls.add(nodes.url((leader + 1 + i) % nodes.size()) + "/eureka/" + ENV + "/");
      }
      probes.add(Probe.start(Generation.BOOT3, "probe-d3", "127.0.0.5", "z-d", urls, logs));
      probes.add(Probe.start(Generation.BOOT4, "probe-d4", "127.0.0.6", "z-d", urls, logs));
      for (Probe p : probes) {
        p.awaitStarted(EurekaScenarios.START);
      }
      await("the two apps see each other and the anchor")
          .atMost(EurekaScenarios.WAIT)
          .ignoreExceptions()
          .until(
              () ->
                  probes.get(0).sees(probes.get(1))
                      && probes.get(1).sees(probes.get(0))
                      && probes.get(0).peers("anchor-svc").size() == 1
                      && probes.get(1).peers("anchor-svc").size() == 1);

      int changes = churn(roster, churn);
      log.info("churned for {}: {} changes", churn, changes);

      // a final state the apps must reach: one instance left of each churned app
      roster.register(ENV, "churn-native", "n-final", "z-n", 1, "{}", "http://127.0.0.21:9001");
      keeper.every(
          EurekaScenarios.RENEW, "n-final", () -> roster.renew(ENV, "churn-native", "n-final"));
      long dirty = System.currentTimeMillis();
      expect(roster.eureka(0, "POST", eurekaApp(), instance("e-final", 1, "UP", "0", dirty)), 204);
      keeper.every(
          EurekaScenarios.RENEW,
          "e-final",
          () ->
              roster.eureka(
                  1, "PUT", eurekaApp() + "/e-final?status=UP&lastDirtyTimestamp=" + dirty, null));
      for (Probe p : probes) {
        await(p + " ends with the nodes' instances")
            .atMost(FETCH.multipliedBy(2).plus(EurekaScenarios.MARGIN).plusSeconds(10))
            .ignoreExceptions()
            .until(
                () ->
                    p.peerIds("churn-native").equals(List.of("n-final"))
                        && p.peerIds("churn-eureka").equals(List.of("e-final")));
      }
      assertThat(roster.upHostnames(0, ENV, "churn-native")).containsExactly("n-final");
      assertThat(roster.upHostnames(0, ENV, "churn-eureka")).containsExactly("e-final");

      SoftAssertions soft = new SoftAssertions();
      long minDeltas = Math.max(3, churn.toSeconds() / FETCH.toSeconds() / 2);
      for (Probe p : probes) {
        String fetches =
            p.lines(
                0, "Getting all instance", "delta revision", "Reconcile", "was unable to refresh");
        soft.assertThat(p.count(Probe.FULL_FETCH))
            .as(p + ": full fetches (only the one at startup):\n" + fetches)
            .isEqualTo(1);
        soft.assertThat(p.count(Probe.HASH_MISMATCH))
            .as(p + ": hash-code mismatches after a delta:\n" + fetches)
            .isZero();
        soft.assertThat(p.count(Probe.DELTA))
            .as(p + ": deltas applied in " + churn)
            .isGreaterThanOrEqualTo(minDeltas);
        log.info(
            "{}: {} full fetch(es), {} deltas, {} mismatches",
            p,
            p.count(Probe.FULL_FETCH),
            p.count(Probe.DELTA),
            p.count(Probe.HASH_MISMATCH));
      }
      soft.assertAll();
    } finally {
      probes.forEach(Probe::close);
      EurekaScenarios.saveNodeLogs(nodes, logs);
      nodes.close();
    }
  }

  /**
   * One round a second for {@code duration} (and at most duration/0.5 s rounds): a native instance
   * registers, the oldest of more than 4 cancels, every third round one flips WAITING/UP; every
   * second round a Eureka instance registers with the next status, the oldest of more than 3 is
   * deleted, and every fourth round one re-registers with new metadata. Returns the writes made.
   */
  private static int churn(Roster roster, Duration duration) {
    Deque<String> natives = new ArrayDeque<>();
    Deque<String> eurekas = new ArrayDeque<>();
    long end = System.nanoTime() + duration.toNanos();
    long maxRounds = duration.toMillis() / 500;
    int writes = 0;
    for (int round = 0; round < maxRounds && System.nanoTime() < end; round++) {
      long started = System.nanoTime();
      String n = "n" + round;
      roster.register(
          ENV,
          "churn-native",
          n,
          "z-n",
          1,
          "{\"round\":\"" + round + "\"}",
          "http://127.0.1." + (1 + round % 250) + ":8000");
      natives.addLast(n);
      writes++;
      if (natives.size() > 4) {
        cancelQuietly(roster, natives.removeFirst());
        writes++;
      }
      if (round % 3 == 0 && natives.size() > 1) {
        String flip = natives.peekFirst();
        roster.setStatus(ENV, "churn-native", flip, round % 2 == 0 ? 2 : 1);
        writes++;
      }
      if (round % 2 == 0) {
        String e = "e" + round;
        String status = EUREKA_STATUSES[(round / 2) % EUREKA_STATUSES.length];
        expect(
            roster.eureka(
                round % 3,
                "POST",
                eurekaApp(),
                instance(e, round, status, "0", System.currentTimeMillis())),
            204);
        eurekas.addLast(e);
        writes++;
        if (eurekas.size() > 3) {
          String gone = eurekas.removeFirst();
          int code =
              roster.eureka(round % 3, "DELETE", eurekaApp() + "/" + gone, null).statusCode();
          assertThat(code).as("DELETE " + gone).isIn(200, 404); // 404: expired already
          writes++;
        }
      }
      if (round % 4 == 1 && !eurekas.isEmpty()) {
        String again = eurekas.peekLast();
        expect(
            roster.eureka(
                round % 3,
                "POST",
                eurekaApp(),
                instance(again, round, "UP", "" + round, System.currentTimeMillis())),
            204);
        writes++;
      }
      long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (spent < 1000) {
        Roster.sleep(1000 - spent);
      }
    }
    for (String n : natives) {
      cancelQuietly(roster, n);
    }
    for (String e : eurekas) {
      roster.eureka(0, "DELETE", eurekaApp() + "/" + e, null);
    }
    return writes;
  }

  private static void cancelQuietly(Roster roster, String hostname) {
    try {
      roster.cancel(ENV, "churn-native", hostname);
    } catch (IllegalStateException e) {
      // -404: it expired already (a round stalled for longer than the 12 s expiry)
      if (!e.getMessage().contains("-404")) {
        throw e;
      }
    }
  }

  private static void expect(HttpResponse<String> r, int status) {
    assertThat(r.statusCode())
        .as(r.request().method() + " " + r.request().uri() + " -> " + r.body())
        .isEqualTo(status);
  }

  private static String eurekaApp() {
    return "/eureka/" + ENV + "/apps/CHURN-EUREKA";
  }

  /** A register body as Spring's Eureka client sends it (its exact fields and encodings). */
  static String instance(String id, int round, String status, String version, long now) {
    String ip = "127.0.2." + (1 + round % 250);
    return ("{\"instance\":{\"instanceId\":\"%s\",\"app\":\"CHURN-EUREKA\",\"appGroupName\":null,"
            + "\"ipAddr\":\"%s\",\"sid\":\"na\",\"homePageUrl\":\"http://%s:8080/\","
            + "\"statusPageUrl\":\"http://%s:8080/actuator/info\","
            + "\"healthCheckUrl\":\"http://%s:8080/actuator/health\",\"secureHealthCheckUrl\":null,"
            + "\"vipAddress\":\"churn-eureka\",\"secureVipAddress\":\"churn-eureka\",\"countryId\":1,"
            + "\"dataCenterInfo\":{\"@class\":\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\","
            + "\"name\":\"MyOwn\"},\"hostName\":\"%s\",\"status\":\"%s\",\"overriddenStatus\":\"UNKNOWN\","
            + "\"leaseInfo\":{\"renewalIntervalInSecs\":3,\"durationInSecs\":15,\"registrationTimestamp\":0,"
            + "\"lastRenewalTimestamp\":0,\"evictionTimestamp\":0,\"serviceUpTimestamp\":0},"
            + "\"isCoordinatingDiscoveryServer\":false,\"lastUpdatedTimestamp\":%d,"
            + "\"lastDirtyTimestamp\":%d,\"actionType\":null,\"asgName\":null,"
            + "\"port\":{\"$\":8080,\"@enabled\":\"true\"},\"securePort\":{\"$\":443,\"@enabled\":\"false\"},"
            + "\"metadata\":{\"zone\":\"z-e\",\"version\":\"%s\"}}}")
        .formatted(id, ip, ip, ip, ip, ip, status, now, now, version);
  }
}
