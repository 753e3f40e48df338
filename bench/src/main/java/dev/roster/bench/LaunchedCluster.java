package dev.roster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Roster nodes started here as separate JVMs from the shipped jar, on free loopback ports, with
 * their data and logs under {@code dir}. Only these processes are ever signalled, through their
 * {@link Process} handles; a shutdown hook kills whatever is still running when the driver exits.
 */
final class LaunchedCluster implements Cluster {
  private final Path jar;
  private final Path dir;
  private final List<String> javaOpts;
  private final List<String> nodeArgs;
  private final List<String> urls = new ArrayList<>();
  private final List<String> rafts = new ArrayList<>();
  private final Process[] processes;
  private final Thread hook;

  LaunchedCluster(Path jar, Path dir, List<String> javaOpts, List<String> nodeArgs, int n) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(
          jar.toAbsolutePath() + " not found: build it with `mvn -B -q package -DskipTests`");
    }
    this.jar = jar;
    this.dir = dir;
    this.javaOpts = List.copyOf(javaOpts);
    this.nodeArgs = List.copyOf(nodeArgs);
    for (int i = 0; i < n; i++) {
      urls.add("http://127.0.0.1:" + freePort());
      rafts.add("127.0.0.1:" + freePort());
    }
    // a cluster launched into the same directory before used other ports: its Raft metadata
    // would make these nodes wait for peers that are gone
    for (int i = 1; i <= n; i++) {
      deleteTree(dir.resolve("node" + i));
      deleteTree(dir.resolve("node" + i + ".log"));
    }
    processes = new Process[n];
    hook =
        new Thread(
            () -> {
              for (Process p : processes) {
                if (p != null) {
                  p.destroyForcibly();
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
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOpts);
    cmd.addAll(
        List.of(
            "-jar",
            jar.toAbsolutePath().toString(),
            "--http",
            urls.get(i).substring("http://".length()),
            "--raft",
            rafts.get(i),
            "--peers",
            String.join(",", rafts),
            "--data",
            dir.resolve("node" + (i + 1)).toAbsolutePath().toString()));
    cmd.addAll(nodeArgs);
    try {
      Files.createDirectories(dir);
      processes[i] =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void kill9(int i) {
    Process p = processes[i];
    if (p != null && p.isAlive()) {
      p.destroyForcibly(); // SIGKILL on Linux
      waitFor(p, 10);
    }
  }

  @Override
  public void terminate(int i) {
    Process p = processes[i];
    if (p != null && p.isAlive()) {
      p.destroy(); // SIGTERM: graceful shutdown
      if (!waitFor(p, 20)) {
        p.destroyForcibly();
        waitFor(p, 10);
      }
    }
  }

  private static boolean waitFor(Process p, int seconds) {
    try {
      return p.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public long pid(int i) {
    Process p = processes[i];
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  @Override
  public Path log(int i) {
    return dir.resolve("node" + (i + 1) + ".log");
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
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      if (p != null && !waitFor(p, 20)) {
        p.destroyForcibly();
        waitFor(p, 10);
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }
}
