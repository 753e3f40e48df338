package dev.roster.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How one Roster node process is launched from the shipped jar: an immutable spec whose {@link
 * #command()} is
 *
 * <pre>
 * [prefix...] java [jvm options...] -jar JAR --http H --raft R --peers P1,P2,.. --data DIR [node args...]
 * </pre>
 *
 * with its output and errors appended to one log file. {@link #start()} runs it and returns the
 * {@link NodeProcess} handle; a spec can be started again (a restart on the same data directory).
 * The prefix runs the node under another command, for example {@link Builder#runAs(int) another
 * uid} or {@code ip netns exec NAME}; it must exec the node, so that the handle's PID is the
 * node's.
 */
public final class NodeLaunch {
  private final List<String> prefix;
  private final Path java;
  private final List<String> jvmOptions;
  private final Path jar;
  private final String http;
  private final String raft;
  private final List<String> peers;
  private final Path data;
  private final List<String> nodeArgs;
  private final Path log;
  private final boolean stdinFromDevNull;

  private NodeLaunch(Builder b) {
    this.prefix = List.copyOf(b.prefix);
    this.java = b.java;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.jar = require(b.jar, "jar");
    this.http = require(b.http, "http");
    this.raft = require(b.raft, "raft");
    this.peers = List.copyOf(b.peers);
    if (peers.isEmpty()) {
      throw new IllegalStateException("peers is required");
    }
    this.data = require(b.data, "data");
    this.nodeArgs = List.copyOf(b.nodeArgs);
    this.log = require(b.log, "log");
    this.stdinFromDevNull = b.stdinFromDevNull;
  }

  private static <T> T require(T value, String name) {
    if (value == null) {
      throw new IllegalStateException(name + " is required");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code java} of the JVM running this code ({@code java.home}). */
  public static Path currentJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** The command line, prefix first. */
  public List<String> command() {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(java.toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "--http",
            http,
            "--raft",
            raft,
            "--peers",
            String.join(",", peers),
            "--data",
            data.toString()));
    cmd.addAll(nodeArgs);
    return List.copyOf(cmd);
  }

  /** The file the node's output and errors are appended to. */
  public Path log() {
    return log;
  }

  /**
   * Starts the node (creating the log's directory if need be) and returns at once, without waiting
   * for it to be ready.
   */
  public NodeProcess start() {
    List<String> cmd = command();
    try {
      Path dir = log.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      if (stdinFromDevNull) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      return new NodeProcess(pb.start(), cmd, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
  }

  @Override
  public String toString() {
    return String.join(" ", command()) + " >> " + log;
  }

  /** Collects a {@link NodeLaunch}; jar, http, raft, peers, data and log are required. */
  public static final class Builder {
    private final List<String> prefix = new ArrayList<>();
    private Path java = currentJava();
    private final List<String> jvmOptions = new ArrayList<>();
    private Path jar;
    private String http;
    private String raft;
    private final List<String> peers = new ArrayList<>();
    private Path data;
    private final List<String> nodeArgs = new ArrayList<>();
    private Path log;
    private boolean stdinFromDevNull;

    private Builder() {}

    /** Words put before {@code java}, after those already given; the command must exec java. */
    public Builder prefix(List<String> words) {
      prefix.addAll(words);
      return this;
    }

    /**
     * Runs the node as {@code uid} (and gid {@code uid}, no supplementary groups) through {@code
     * setpriv}, which execs java: the PID stays the node's. Needs root.
     */
    public Builder runAs(int uid) {
      return prefix(
          List.of(
              "setpriv",
              "--reuid",
              Integer.toString(uid),
              "--regid",
              Integer.toString(uid),
              "--clear-groups",
              "--"));
    }

    /** The java binary; {@link #currentJava()} unless given. */
    public Builder java(Path java) {
      this.java = Objects.requireNonNull(java);
      return this;
    }

    /** JVM options before {@code -jar}, after those already given. */
    public Builder jvmOptions(List<String> options) {
      jvmOptions.addAll(options);
      return this;
    }

    /** The node's jar, put in the command as given (relative paths stay relative). */
    public Builder jar(Path jar) {
      this.jar = jar;
      return this;
    }

    /** {@code --http host:port}. */
    public Builder http(String hostPort) {
      this.http = hostPort;
      return this;
    }

    /** {@code --raft host:port}. */
    public Builder raft(String hostPort) {
      this.raft = hostPort;
      return this;
    }

    /** {@code --peers}: every member's Raft address (this node's included), in the order given. */
    public Builder peers(List<String> raftAddresses) {
      peers.clear();
      peers.addAll(raftAddresses);
      return this;
    }

    /** {@code --data DIR}, as given. */
    public Builder data(Path dir) {
      this.data = dir;
      return this;
    }

    /** Node flags after {@code --data}, after those already given. */
    public Builder nodeArgs(List<String> args) {
      nodeArgs.addAll(args);
      return this;
    }

    /** The file the node's output and errors are appended to. */
    public Builder log(Path file) {
      this.log = file;
      return this;
    }

    /** The node's stdin is /dev/null (by default a pipe from this process, never written). */
    public Builder stdinFromDevNull() {
      this.stdinFromDevNull = true;
      return this;
    }

    public NodeLaunch build() {
      return new NodeLaunch(this);
    }
  }
}
