package dev.roster.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short helper commands (kill, iptables): run to completion, bounded, failing loudly. */
public final class Commands {
  private Commands() {}

  /**
   * Runs {@code cmd} with {@code input} on its stdin and waits at most {@code timeout} for it to
   * exit; returns its output (stdout and stderr). For commands with little output: it is read once
   * the command has exited.
   *
   * @throws IllegalStateException if it does not exit in time (it is then killed), exits non-zero
   *     (with its output in the message), or the wait is interrupted (the flag stays set)
   */
  public static String run(List<String> cmd, String input, Duration timeout) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd + " did not exit within " + timeout);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(cmd + " failed (exit " + p.exitValue() + "): " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(cmd + " interrupted", e);
    }
  }
}
