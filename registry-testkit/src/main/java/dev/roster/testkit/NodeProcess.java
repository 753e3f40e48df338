package dev.roster.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node process started by {@link NodeLaunch#start()}. Every signal goes to this process's own
 * PID, never to a name, and only while it has not exited. Waits are bounded; an interrupted wait
 * returns false with the thread's interrupt flag set.
 */
public final class NodeProcess {
  /** The bound on the {@code kill} command that {@link #signal(String)} runs. */
  static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final List<String> command;
  private final Path log;

  NodeProcess(Process process, List<String> command, Path log) {
    this.process = process;
    this.command = command;
    this.log = log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The underlying process, for callers that time its exit themselves. */
  public Process process() {
    return process;
  }

  /** The command line it was started with. */
  public List<String> command() {
    return command;
  }

  /** The file its output and errors are appended to. */
  public Path log() {
    return log;
  }

  /**
   * The exit code.
   *
   * @throws IllegalThreadStateException if it is still running
   */
  public int exitValue() {
    return process.exitValue();
  }

  /** Waits at most {@code timeout} for the process to exit; true if it has. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGKILL, as in a crash (a stopped process dies too); waits at most {@code wait} for it. */
  public boolean kill(Duration wait) {
    process.destroyForcibly();
    return waitFor(wait);
  }

  /** SIGTERM (the node's graceful shutdown); returns at once. */
  public void terminate() {
    process.destroy();
  }

  /**
   * SIGTERM, then SIGKILL if it has not exited within {@code grace}, waiting at most {@code
   * killWait} after that; true if it is gone.
   */
  public boolean stop(Duration grace, Duration killWait) {
    terminate();
    return waitFor(grace) || kill(killWait);
  }

  /**
   * Sends a signal by name ({@code STOP}, {@code CONT}, ...) to this process's PID with {@code kill
   * -SIGNAL PID}.
   *
   * @throws IllegalStateException if the process has exited, or {@code kill} fails
   */
  public void signal(String signal) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "process " + process.pid() + " has exited; not sending " + signal);
    }
    Commands.run(List.of("kill", "-" + signal, Long.toString(process.pid())), "", SIGNAL_TIMEOUT);
  }

  /** True while the process is stopped (SIGSTOP; state T in /proc/PID/stat); false elsewhere. */
  public boolean isStopped() {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      // "pid (comm) S ...": the state follows the last ')' (comm may hold parentheses)
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "pid " + process.pid() + ": " + String.join(" ", command);
  }
}
