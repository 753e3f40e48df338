package dev.roster.eureka.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One eureka-probe app (a Spring Boot app with the unmodified Eureka client) as a process of its
 * own, bound to a loopback address of its own. Its output goes to a log file that tests read. Only
 * this process is ever signalled, through its own {@link Process} handle (its PID).
 */
final class Probe implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /** What the client logs (DiscoveryClient, INFO) each time it sends a register (POST apps/X). */
  static final String REGISTERING = ": registering service...";

  /** What it logs (INFO) when a renew answered 404 and it registers again at once. */
  static final String RE_REGISTERING = " - Re-registering apps/";

  /** What it logs (INFO) before every full fetch ({@code GET apps/}) but a reconcile's. */
  static final String FULL_FETCH = "Getting all instance registry info from the eureka server";

  /** What it logs (DEBUG) after every delta it applied ({@code GET apps/delta}, 200). */
  static final String DELTA = "Got delta update with apps hashcode";

  /** What it logs (WARN) when a delta fetch did not answer 200: then it fetches all at once. */
  static final String DELTA_REFUSED = "The server does not allow the delta revision to be applied";

  /** What it logs (DEBUG) when its hash code after a delta differs: then it fetches all. */
  static final String HASH_MISMATCH = "The Reconcile hashcodes do not match";

  final Generation generation;
  final String app;
  final String ip;
  final String zone;
  final int port;
  final Path log;
  private final Process process;

  private Probe(
      Generation generation, String app, String ip, String zone, int port, Path log, Process p) {
    this.generation = generation;
    this.app = app;
    this.ip = ip;
    this.zone = zone;
    this.port = port;
    this.log = log;
    this.process = p;
  }

  /**
   * Starts the app {@code app} (spring.application.name, lower case) on {@code ip}, in zone {@code
   * zone} (metadata), with {@code serviceUrls} as its defaultZone list, in that order.
   */
  static Probe start(
      Generation g, String app, String ip, String zone, List<String> serviceUrls, Path logDir) {
    return start(g, app, ip, zone, serviceUrls, logDir, Map.of());
  }

  /** As {@link #start(Generation, String, String, String, List, Path)}, plus Spring settings. */
  static Probe start(
      Generation g,
      String app,
      String ip,
      String zone,
      List<String> serviceUrls,
      Path logDir,
      Map<String, String> extra) {
    int port = freePort(ip);
    Map<String, String> props = new LinkedHashMap<>();
    props.put("server.address", ip);
    props.put("server.port", Integer.toString(port));
    props.put("spring.application.name", app);
    props.put("eureka.client.service-url.defaultZone", String.join(",", serviceUrls));
    props.put("eureka.instance.ip-address", ip);
    props.put("eureka.instance.metadata-map.zone", zone);
    // what the default instanceId (hostname:app:port) is made of: the loopback address, not
    // whatever non-loopback address this machine has
    props.put("spring.cloud.client.hostname", ip);
    props.put("spring.cloud.client.ip-address", ip);
    props.putAll(extra);

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1"); // starts faster; these apps do little work
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(g.classpath());
    cmd.add("dev.roster.eureka.probe.ProbeApp");
    props.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(app + "-" + g.label() + ".log");
      Files.writeString(log, String.join(" ", cmd) + "\n\n");
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      return new Probe(g, app, ip, zone, port, log, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the app answers HTTP (its context has started; it registers right after). */
  Probe awaitStarted(Duration atMost) {
    await(app + " (" + generation.label() + ") answers on " + base() + "; log " + log)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError(app + " exited:\n" + tail(40));
              }
              return get("/actuator/health").statusCode() == 200;
            });
    return this;
  }

  String base() {
    return "http://" + ip + ":" + port;
  }

  /** The Eureka instanceId the client makes by default: {@code hostname:app:port}. */
  String instanceId() {
    return ip + ":" + app + ":" + port;
  }

  /** The Eureka app name: spring.application.name upper-cased. */
  String eurekaApp() {
    return app.toUpperCase(Locale.ROOT);
  }

  /** {@code http://ip:port}: the address Roster keeps for it. */
  String addr() {
    return base();
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** This app's {@code DiscoveryClient.getInstances(service)}, as the probe's /peers answers. */
  JsonNode peers(String service) {
    HttpResponse<String> r = get("/peers/" + service);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("/peers/" + service + " answered " + r.statusCode());
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The instance ids this app sees for {@code service}. */
  List<String> peerIds(String service) {
    List<String> ids = new ArrayList<>();
    peers(service).forEach(i -> ids.add(i.path("instanceId").asText()));
    return ids;
  }

  boolean sees(Probe other) {
    return peerIds(other.app).contains(other.instanceId());
  }

  /** {@code POST /actuator/serviceregistry {"status": status}}: EurekaServiceRegistry.setStatus. */
  int setRegistryStatus(String status) {
    return send(HttpRequest.newBuilder(URI.create(base() + "/actuator/serviceregistry"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"" + status + "\"}")))
        .statusCode();
  }

  /** {@code GET /actuator/serviceregistry}: the status the server reports (GET apps/X/id). */
  JsonNode registryStatus() {
    HttpResponse<String> r = get("/actuator/serviceregistry");
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The log so far. */
  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The log's length now: pass it to {@link #count(String, int)} to count only later lines. */
  int mark() {
    return log().length();
  }

  /** Lines containing {@code needle}, after {@code from} characters of the log. */
  long count(String needle, int from) {
    String l = log();
    return l.substring(Math.min(from, l.length())).lines().filter(s -> s.contains(needle)).count();
  }

  long count(String needle) {
    return count(needle, 0);
  }

  /** The lines containing any of {@code needles}, after {@code from}: for assertion messages. */
  String lines(int from, String... needles) {
    String l = log();
    StringBuilder b = new StringBuilder();
    l.substring(Math.min(from, l.length()))
        .lines()
        .filter(
            s -> {
              for (String n : needles) {
                if (s.contains(n)) {
                  return true;
                }
              }
              return false;
            })
        .forEach(s -> b.append(s).append('\n'));
    return b.toString();
  }

  String tail(int lines) {
    List<String> all = log().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** SIGTERM (its own PID): Spring shuts down gracefully and the client deregisters. */
  void terminate() {
    process.destroy();
  }

  /** Waits for the process to exit; returns its exit code. */
  int awaitExit(Duration atMost) {
    try {
      if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(app + " still running " + atMost + " after the signal");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  /** SIGKILL if still running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return app + "(" + generation.label() + ", " + instanceId() + ", pid " + process.pid() + ")";
  }

  private HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).GET());
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return HTTP.send(
          b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort(String ip) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
