package dev.roster.example;

import dev.roster.client.AppInstances;
import dev.roster.client.Instance;
import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.RosterUnavailableException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service as a user would write it with {@code registry-client}: it registers itself under its
 * container's hostname, renews in the background, and watches another application, logging one
 * {@code watch <appid>: [hostnames]} line per change so that {@code docker logs} shows what it
 * sees. Configured by environment (deploy/docker-compose.example.yml):
 *
 * <ul>
 *   <li>{@code ROSTER_NODES}: comma-separated node URLs, required (inside the compose network: the
 *       nodes' cluster URLs, {@code http://node1:7171,...});
 *   <li>{@code EXAMPLE_ENV} (default {@code compose}), {@code EXAMPLE_APPID} ({@code
 *       compose.example}), {@code EXAMPLE_WATCH} ({@code compose.peer});
 *   <li>{@code EXAMPLE_RENEW_SECONDS} (30, the registry's default renew interval).
 * </ul>
 */
public final class ExampleService {
  private static final Logger log = LoggerFactory.getLogger(ExampleService.class);

  private ExampleService() {}

  public static void main(String[] args) throws Exception {
    List<String> nodes =
        Arrays.stream(required("ROSTER_NODES").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toList());
    String appid = env("EXAMPLE_APPID", "compose.example");
    String watched = env("EXAMPLE_WATCH", "compose.peer");
    String hostname = InetAddress.getLocalHost().getHostName();
    RosterClient client =
        RosterClient.builder()
            .nodes(nodes)
            .env(env("EXAMPLE_ENV", "compose"))
            .renewInterval(Duration.ofSeconds(Long.parseLong(env("EXAMPLE_RENEW_SECONDS", "30"))))
            .build();
    // closing the client cancels the registration and stops the watch (docker stop = SIGTERM)
    Runtime.getRuntime().addShutdownHook(new Thread(client::close, "example-shutdown"));

    Registration me =
        registerUntilAccepted(
            client,
            Instance.builder(appid, hostname).addrs("http://" + hostname + ":8080").build());
    log.info("registered {}/{} (env {}) through {}", appid, hostname, client.env(), nodes);
    client.watch(watched, ExampleService::logChange);
    log.info(
        "watching {}; renewing {} every {} s",
        watched,
        me.instance().hostname(),
        env("EXAMPLE_RENEW_SECONDS", "30"));
    new CountDownLatch(1).await();
  }

  /** The cluster may still be electing its first leader when the service starts. */
  private static Registration registerUntilAccepted(RosterClient client, Instance instance)
      throws InterruptedException {
    while (true) {
      try {
        return client.register(instance);
      } catch (RosterUnavailableException e) {
        log.warn("registry not available yet ({}); trying again", e.getMessage());
        Thread.sleep(1000);
      }
    }
  }

  private static void logChange(AppInstances current) {
    log.info(
        "watch {}: {}",
        current.appid(),
        current.instances().stream().map(Instance::hostname).sorted().collect(Collectors.toList()));
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static String required(String name) {
    String value = env(name, null);
    if (value == null) {
      throw new IllegalArgumentException(name + ": required (comma-separated node URLs)");
    }
    return value;
  }
}
