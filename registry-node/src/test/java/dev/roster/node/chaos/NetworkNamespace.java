package dev.roster.node.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made for one chaos run, and removed after it. Inside it, {@code lo} is up and
 * all of 127.0.0.0/8 is local, so each node listens on its own address (127.0.0.11, .12, .13).
 *
 * <p>For iptables to tell the nodes apart, their outgoing connections must carry their own address
 * as source, but the kernel picks 127.0.0.1 for every loopback destination. So each node runs under
 * its own uid, and a policy-routing rule per uid ({@code ip rule ... uidrange U-U lookup T}) sends
 * that uid to a local table whose route names the node's address as preferred source. Client
 * traffic (the runner, as root) keeps 127.0.0.1 and is never cut.
 *
 * <p>Only this namespace is touched: the host's interfaces, routes and iptables rules never are.
 */
final class NetworkNamespace implements AutoCloseable {
  static final List<String> HOSTS = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");
  static final List<Integer> UIDS = List.of(60011, 60012, 60013);

  private final String name;

  private NetworkNamespace(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  /** Why namespaces cannot be used here, or empty when they can. */
  static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("not running as root");
    }
    for (String tool : List.of("ip", "iptables", "setpriv")) {
      if (!onPath(tool)) {
        return Optional.of("'" + tool + "' is not installed");
      }
    }
    return Optional.empty();
  }

  private static boolean onPath(String tool) {
    for (String dir :
        System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Creates and sets up the namespace; on any failure removes what it made and throws. */
  static NetworkNamespace create(String name) throws IOException {
    run(List.of("ip", "netns", "add", name));
    NetworkNamespace ns = new NetworkNamespace(name);
    try {
      ns.exec("ip", "link", "set", "lo", "up");
      for (int i = 0; i < HOSTS.size(); i++) {
        String table = Integer.toString(100 + i);
        ns.exec(
            "ip",
            "route",
            "add",
            "local",
            "127.0.0.0/8",
            "dev",
            "lo",
            "src",
            HOSTS.get(i),
            "table",
            table);
        ns.exec(
            "ip",
            "rule",
            "add",
            "pref",
            Integer.toString(10 + i),
            "uidrange",
            UIDS.get(i) + "-" + UIDS.get(i),
            "lookup",
            table);
      }
      // the uid rules must be consulted before the local table
      ns.exec("ip", "rule", "add", "pref", "50", "lookup", "local");
      ns.exec("ip", "rule", "del", "pref", "0", "lookup", "local");
      ns.exec("iptables", "-w", "-S");
    } catch (IOException | RuntimeException e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  /**
   * Removes namespaces left by earlier runs of this suite whose test JVM is gone (killed before its
   * cleanup ran): they are named {@code <prefix><pid of that JVM>}. A namespace whose JVM still
   * runs belongs to a run in progress and is left alone.
   */
  static void removeLeftovers(String prefix) {
    try {
      for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
        String name = line.trim().split("\\s+")[0];
        if (!name.startsWith(prefix)) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(name.substring(prefix.length()));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).isEmpty()) {
          System.out.println("chaos: removing leftover network namespace " + name);
          new NetworkNamespace(name).close();
        }
      }
    } catch (IOException e) {
      // nothing to clean, or no ip: create() will report what matters
    }
  }

  /** {@code cmd} prefixed so that it runs inside the namespace. */
  List<String> inside(List<String> cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(cmd);
    return full;
  }

  private void exec(String... cmd) throws IOException {
    run(inside(List.of(cmd)));
  }

  private static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String out = new String(p.getInputStream().readAllBytes());
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.trim());
    }
    return out;
  }

  /** The inode of this process's network namespace, e.g. {@code net:[4026531833]}. */
  static String currentNamespace() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
  }

  /**
   * Kills what is still running inside (all of it was started by this run: the runner and its
   * nodes), then deletes the namespace with its iptables rules.
   */
  @Override
  public void close() {
    try {
      for (String pid : run(List.of("ip", "netns", "pids", name)).split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.trim()))
              .ifPresent(
                  h -> {
                    h.destroyForcibly();
                    try {
                      h.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      // reported below if the namespace cannot go
                    }
                  });
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("chaos: listing processes in " + name + " failed: " + e.getMessage());
    }
    try {
      run(List.of("ip", "netns", "del", name));
    } catch (IOException e) {
      System.err.println(
          "chaos: deleting network namespace " + name + " failed: " + e.getMessage());
    }
  }
}
