package dev.roster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster started by someone else, given by its URLs; optionally controlled through shell
 * commands in which {n} is the node number (1-based), for example those of deploy/local-cluster.sh
 * ({@code --local-cluster}).
 */
final class ExternalCluster implements Cluster {
  private final List<String> urls;
  private final String killCmd;
  private final String termCmd;
  private final String startCmd;
  private final String pidFile;
  private final String logFile;

  ExternalCluster(
      List<String> urls,
      String killCmd,
      String termCmd,
      String startCmd,
      String pidFile,
      String logFile) {
    this.urls = List.copyOf(urls);
    this.killCmd = killCmd;
    this.termCmd = termCmd;
    this.startCmd = startCmd;
    this.pidFile = pidFile;
    this.logFile = logFile;
  }

  static ExternalCluster localClusterScript(Path repoRoot) {
    String script = repoRoot.resolve("deploy/local-cluster.sh").toString();
    return new ExternalCluster(
        List.of("http://127.0.0.1:7171", "http://127.0.0.1:7172", "http://127.0.0.1:7173"),
        script + " kill {n}",
        script + " term {n}",
        script + " start-node {n}",
        repoRoot.resolve("roster-data/node{n}.pid").toString(),
        repoRoot.resolve("roster-data/node{n}.log").toString());
  }

  @Override
  public int size() {
    return urls.size();
  }

  @Override
  public String url(int i) {
    return urls.get(i);
  }

  private static String fill(String template, int i) {
    return template.replace("{n}", Integer.toString(i + 1));
  }

  private static void run(String what, String template, int i) {
    if (template == null) {
      throw new UnsupportedOperationException(
          "no command to " + what + " a node of an external cluster (see --help)");
    }
    try {
      Process p =
          new ProcessBuilder("bash", "-c", fill(template, i))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("`" + fill(template, i) + "` failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void kill9(int i) {
    run("kill", killCmd, i);
  }

  @Override
  public void terminate(int i) {
    run("stop", termCmd, i);
  }

  @Override
  public void start(int i) {
    run("start", startCmd, i);
  }

  @Override
  public long pid(int i) {
    if (pidFile == null) {
      return -1;
    }
    try {
      long pid = Long.parseLong(Files.readString(Path.of(fill(pidFile, i))).trim());
      return ProcessHandle.of(pid).map(h -> h.isAlive() ? pid : -1L).orElse(-1L);
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public Path log(int i) {
    return logFile == null ? null : Path.of(fill(logFile, i));
  }

  @Override
  public String describe() {
    return "external: " + urls;
  }

  @Override
  public void close() {
    // not ours to stop
  }
}
