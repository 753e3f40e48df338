package dev.roster.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Linux /proc readings and jcmd calls for the nodes' processes. */
final class Proc {
  /** USER_HZ: /proc reports CPU times in 1/100 s on every Linux configuration. */
  private static final double TICKS_PER_S = 100.0;

  private Proc() {}

  /** CPU seconds (user + system, all threads) used so far by the process, or -1. */
  static double cpuSeconds(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields after the command: state(3) ... utime(14) stime(15) -> indexes 11 and 12 here
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_S;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Busy CPU seconds of the whole machine so far (user+nice+system+irq+softirq+steal). */
  static double machineBusySeconds() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long busy =
              Long.parseLong(f[1])
                  + Long.parseLong(f[2])
                  + Long.parseLong(f[3])
                  + Long.parseLong(f[6])
                  + Long.parseLong(f[7])
                  + Long.parseLong(f[8]);
          return busy / TICKS_PER_S;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /**
   * Waits (at most maxSeconds) until the machine is at least {@code idle} idle over a 2 s sample,
   * as bench/run.sh does: other developers' builds skew the numbers. Returns the last idle fraction
   * seen.
   */
  static double waitQuiet(long maxSeconds, double idle) throws InterruptedException {
    int cores = Runtime.getRuntime().availableProcessors();
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    double seen;
    do {
      double b0 = machineBusySeconds();
      Thread.sleep(2000);
      double b1 = machineBusySeconds();
      if (b0 < 0) {
        return -1;
      }
      seen = 1 - (b1 - b0) / (2.0 * cores);
      if (seen >= idle) {
        return seen;
      }
    } while (System.nanoTime() < deadline);
    Bench.say("(machine not quiet: idle %.2f after %d s, running anyway)", seen, maxSeconds);
    return seen;
  }

  /** Resident set size in MiB, or -1. */
  static double rssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  static String jcmd(long pid, String... command) {
    Path jdk = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    List<String> cmd = new ArrayList<>();
    cmd.add(Files.isExecutable(jdk) ? jdk.toString() : "jcmd");
    cmd.add(Long.toString(pid));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      p.waitFor(120, TimeUnit.SECONDS);
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "jcmd failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static final Pattern HEAP = Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K");

  /**
   * Live heap: a full GC (jcmd GC.run), then GC.heap_info. Returns {used MiB, committed MiB}, or
   * null when jcmd cannot attach.
   */
  static double[] liveHeapMiB(long pid) {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP.matcher(info);
    if (!m.find()) {
      return null;
    }
    return new double[] {Long.parseLong(m.group(2)) / 1024.0, Long.parseLong(m.group(1)) / 1024.0};
  }
}
