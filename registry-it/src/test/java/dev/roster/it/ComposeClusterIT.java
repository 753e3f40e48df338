package dev.roster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.AppInstances;
import dev.roster.client.Instance;
import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.Watch;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * deploy/docker-compose.yml as users run it: three containers built from deploy/Dockerfile with
 * the jar of this build. Register and watch through the client, stop the leader's container,
 * and discovery goes on. Skipped where no Docker daemon runs (as on the build machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeClusterIT {
  private static final List<String> NODES =
      List.of("http://127.0.0.1:7171", "http://127.0.0.1:7172", "http://127.0.0.1:7173");

  @Container
  static final ComposeContainer COMPOSE =
      new ComposeContainer(new File("../deploy/docker-compose.yml"))
          .withBuild(true)
          .withLocalCompose(true);

  private static int leaderIndex() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < NODES.size(); i++) {
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create(NODES.get(i) + "/cluster/status"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        if (body.contains("\"role\":\"leader\"")) {
          return i;
        }
      } catch (java.io.IOException e) {
        // stopped or starting
      }
    }
    return -1;
  }

  @Test
  void discoveryKeepsWorkingWhenTheLeadersContainerStops() throws Exception {
    await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> leaderIndex() >= 0);
    try (RosterClient client = RosterClient.builder().nodes(NODES).env("compose")
            .renewInterval(Duration.ofSeconds(1)).pollHold(Duration.ofSeconds(2)).build()) {
      Registration registration = client.register(
          Instance.builder("compose.app", "h1").addrs("http://10.0.0.1:8080").build());
      Watch watch = client.watch("compose.app", current -> { });
      await().atMost(Duration.ofSeconds(30)).until(() ->
          watch.current().map(AppInstances::instances).map(List::size).orElse(0) == 1);

      int leader = leaderIndex();
      String service = "node" + (leader + 1);
      String container = COMPOSE.getContainerByServiceName(service)
          .orElseGet(() -> COMPOSE.getContainerByServiceName(service + "-1").orElseThrow())
          .getContainerId();
      DockerClientFactory.instance().client().stopContainerCmd(container).withTimeout(10).exec();

      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        int l = leaderIndex();
        return l >= 0 && l != leader;
      });
      Registration second = client.register(
          Instance.builder("compose.app", "h2").addrs("http://10.0.0.2:8080").build());
      await().atMost(Duration.ofSeconds(30)).until(() ->
          watch.current().map(AppInstances::instances).map(List::size).orElse(0) == 2);
      assertThat(client.fetch("compose.app").instances()).extracting(Instance::hostname)
          .containsExactlyInAnyOrder("h1", "h2");
      second.close();
      registration.close();
    }
  }
}
