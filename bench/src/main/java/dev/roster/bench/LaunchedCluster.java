package dev.roster.bench;

import dev.roster.testkit.NodeLaunch;
import dev.roster.testkit.NodeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Roster nodes started here as separate JVMs from the shipped jar, on free loopback ports, with
 * their data and logs under {@code dir}. Only these processes are ever signalled, through their
 * {@link NodeProcess} handles (registry-testkit's launcher, as in the node's test harnesses); a
 * shutdown hook kills whatever is still running when the driver exits.
 */
final class LaunchedCluster implements Cluster {
  private static final Duration GRACE = Duration.ofSeconds(20);
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Path jar;
  private final List<String> javaOpts;
  private final List<String> nodeArgs;
  private final List<String> urls = new ArrayList<>();
  private final List<NodeLaunch> launches = new ArrayList<>();
  private final NodeProcess[] processes;
  private final Thread hook;

  LaunchedCluster(Path jar, Path dir, List<String> javaOpts, List<String> nodeArgs, int n) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(
          jar.toAbsolutePath() + " not found: build it with `mvn -B -q package -DskipTests`");
    }
    this.jar = jar;
    this.javaOpts = List.copyOf(javaOpts);
    this.nodeArgs = List.copyOf(nodeArgs);
    List<String> rafts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      urls.add("http://127.0.0.1:" + freePort());
      rafts.add("127.0.0.1:" + freePort());
    }
    for (int i = 0; i < n; i++) {
      launches.add(
          NodeLaunch.builder()
              .jvmOptions(javaOpts)
              .jar(jar.toAbsolutePath())
              .http(urls.get(i).substring("http://".length()))
              .raft(rafts.get(i))
              .peers(rafts)
              .data(dir.resolve("node" + (i + 1)).toAbsolutePath())
              .nodeArgs(nodeArgs)
              .log(dir.resolve("node" + (i + 1) + ".log"))
              .build());
    }
    // a cluster launched into the same directory before used other ports: its Raft metadata
    // would make these nodes wait for peers that are gone
    for (int i = 1; i <= n; i++) {
      deleteTree(dir.resolve("node" + i));
      deleteTree(dir.resolve("node" + i + ".log"));
    }
    processes = new NodeProcess[n];
    hook =
        new Thread(
            () -> {
              for (NodeProcess p : processes) {
                if (p != null) {
                  p.kill(Duration.ZERO);
                }
              }
            },
            "bench-cluster-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + p + " from an earlier run", e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public int size() {
    return processes.length;
  }

  @Override
  public String url(int i) {
    return urls.get(i);
  }

  @Override
  public synchronized void start(int i) {
    if (processes[i] != null && processes[i].isAlive()) {
      throw new IllegalStateException("node " + (i + 1) + " is already running");
    }
    processes[i] = launches.get(i).start();
  }

  @Override
  public void kill9(int i) {
    NodeProcess p = processes[i];
    if (p != null && p.isAlive()) {
      p.kill(KILL_WAIT);
    }
  }

  @Override
  public void terminate(int i) {
    NodeProcess p = processes[i];
    if (p != null && p.isAlive()) {
      p.stop(GRACE, KILL_WAIT); // SIGTERM: graceful shutdown
    }
  }

  @Override
  public long pid(int i) {
    NodeProcess p = processes[i];
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  @Override
  public Path log(int i) {
    return launches.get(i).log();
  }

  @Override
  public String describe() {
    return "launched: "
        + jar
        + " "
        + String.join(" ", javaOpts)
        + " "
        + String.join(" ", nodeArgs)
        + " -> "
        + urls;
  }

  @Override
  public void close() {
    // SIGTERM to all first: they shut down side by side
    for (NodeProcess p : processes) {
      if (p != null && p.isAlive()) {
        p.terminate();
      }
    }
    for (NodeProcess p : processes) {
      if (p != null && !p.waitFor(GRACE)) {
        p.kill(KILL_WAIT);
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }
}
