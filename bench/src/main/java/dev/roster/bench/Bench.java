package dev.roster.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Java benchmark driver: {@code java -jar bench/target/roster-bench.jar
 * scenario|failover|memory|client}. See bench/README.md.
 */
@Command(
    name = "roster-bench",
    mixinStandardHelpOptions = true,
    version = "roster-bench 0.1",
    subcommands = {Scenario.class, Failover.class, Memory.class, ClientCost.class},
    description =
        "Scenario, failover, memory/restart and client-cost driver for a 3-node Roster cluster.")
public final class Bench implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command; returns the exit status (used by the smoke IT). */
  public static int run(String... args) {
    return new CommandLine(new Bench())
        .registerConverter(Duration.class, Bench::duration)
        .execute(args);
  }

  /** 500ms, 30s, 2m, 1h. */
  static Duration duration(String s) {
    String v = s.trim();
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    long n = Long.parseLong(v.substring(0, v.length() - 1));
    return switch (v.charAt(v.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("not a duration (500ms, 30s, 2m): " + s);
    };
  }

  static void say(String fmt, Object... args) {
    System.out.printf(
        java.util.Locale.ROOT,
        "[%s] %s%n",
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("HH:mm:ss")),
        String.format(java.util.Locale.ROOT, fmt, args));
    System.out.flush();
  }

  static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s.length == 0
        ? Double.NaN
        : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }

  /** Where the cluster under test comes from; shared by every command. */
  static final class ClusterOptions {
    @Option(
        names = "--jar",
        paramLabel = "JAR",
        description =
            "Launch 3 nodes from this jar on free loopback ports, data and logs under --out "
                + "(default when neither --nodes nor --local-cluster is given: registry-node/target/roster-node.jar).")
    Path jar;

    @Option(
        names = "--java-opts",
        paramLabel = "OPTS",
        description = "JVM options of launched nodes (default: per command).")
    String javaOpts;

    @Option(
        names = "--node-args",
        paramLabel = "ARGS",
        description = "Extra flags for launched nodes, e.g. \"--election-timeout 500ms\".")
    String nodeArgs = "";

    @Option(
        names = "--nodes",
        split = ",",
        paramLabel = "URL",
        description =
            "Use a running cluster at these base URLs instead (node control needs --kill-cmd etc.).")
    List<String> nodes;

    @Option(
        names = "--local-cluster",
        description =
            "Use the running deploy/local-cluster.sh cluster (7171-7173), controlled through that script.")
    boolean localCluster;

    @Option(
        names = "--kill-cmd",
        paramLabel = "CMD",
        description = "External cluster: shell command to SIGKILL node {n} (1-based).")
    String killCmd;

    @Option(
        names = "--term-cmd",
        paramLabel = "CMD",
        description = "External cluster: command to stop node {n} gracefully.")
    String termCmd;

    @Option(
        names = "--start-cmd",
        paramLabel = "CMD",
        description = "External cluster: command to start node {n}.")
    String startCmd;

    @Option(
        names = "--pid-file",
        paramLabel = "FILE",
        description = "External cluster: file holding node {n}'s PID.")
    String pidFile;

    @Option(
        names = "--log-file",
        paramLabel = "FILE",
        description = "External cluster: node {n}'s log.")
    String logFile;

    @Option(
        names = "--quiet-wait",
        paramLabel = "SECONDS",
        description =
            "Before each measurement wait up to this long for the machine to be >= 85%% idle (default ${DEFAULT-VALUE}; 0 = no wait).")
    long quietWait = 120;

    /** Waits for a quiet machine (see --quiet-wait); returns the idle fraction seen. */
    double quiet() throws InterruptedException {
      return quietWait <= 0 ? -1 : Proc.waitQuiet(quietWait, 0.85);
    }

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Output directory (default bench/results/<utc-stamp>-<command>).")
    Path out;

    Path out(String command) {
      if (out == null) {
        Path base =
            Files.isDirectory(Path.of("bench")) ? Path.of("bench", "results") : Path.of("results");
        out =
            base.resolve(
                ZonedDateTime.now(ZoneOffset.UTC)
                        .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                    + "-"
                    + command);
      }
      return out;
    }

    boolean launches() {
      return nodes == null && !localCluster;
    }

    /**
     * Opens (launching if need be) the cluster and waits until every node is ready and a leader is
     * known.
     */
    Cluster open(String command, String defaultJavaOpts) throws Exception {
      Cluster c;
      if (localCluster) {
        c = ExternalCluster.localClusterScript(repoRoot());
      } else if (nodes != null) {
        c = new ExternalCluster(nodes, killCmd, termCmd, startCmd, pidFile, logFile);
      } else {
        Path j = jar != null ? jar : defaultJar();
        List<String> opts = split(javaOpts != null ? javaOpts : defaultJavaOpts);
        Path dir = out(command).resolve("cluster");
        List<String> o = new ArrayList<>();
        for (String s : opts) {
          o.add(s.replace("{dir}", dir.toAbsolutePath().toString()));
        }
        LaunchedCluster lc = new LaunchedCluster(j, dir, o, split(nodeArgs), 3);
        for (int i = 0; i < lc.size(); i++) {
          lc.start(i);
        }
        c = lc;
      }
      try {
        Control.awaitAllReady(c, 60_000);
        Control.awaitLeader(c, 10_000);
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
      say("cluster: %s", c.describe());
      return c;
    }

    private static Path repoRoot() {
      for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("deploy/local-cluster.sh"))) {
          return p;
        }
      }
      throw new IllegalStateException(
          "--local-cluster: run from the repository (deploy/local-cluster.sh not found)");
    }

    private static Path defaultJar() {
      for (Path p :
          List.of(
              Path.of("registry-node/target/roster-node.jar"),
              Path.of("../registry-node/target/roster-node.jar"))) {
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
      return Path.of("registry-node/target/roster-node.jar");
    }

    static List<String> split(String s) {
      List<String> l = new ArrayList<>();
      if (s != null) {
        for (String t : s.trim().split("\\s+")) {
          if (!t.isEmpty()) {
            l.add(t);
          }
        }
      }
      return l;
    }
  }
}
