package dev.roster.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The {@code docker compose} CLI on the repository's compose files, run as a user would (no
 * Testcontainers: its compose support hides start-up failures behind skips and needs images this
 * machine cannot pull). Every command is bounded; a failing one throws with its output.
 */
final class ComposeProject {
  private final Path root;
  private final List<String> files;

  ComposeProject(Path root, String... files) {
    this.root = root;
    this.files = List.of(files);
  }

  /** Why Docker with Compose v2 cannot be used here, or null if it can. */
  static String unavailableReason() {
    for (List<String> probe :
        List.of(List.of("docker", "info"), List.of("docker", "compose", "version"))) {
      try {
        Result r = exec(Path.of("."), probe, Duration.ofSeconds(30));
        if (r.exit() != 0) {
          return String.join(" ", probe) + " failed: " + errorLines(r.output());
        }
      } catch (IOException e) {
        return String.join(" ", probe) + ": " + e.getMessage();
      }
    }
    return null;
  }

  /** docker info prints its whole client section before the one line that says what is wrong. */
  private static String errorLines(String output) {
    String errors =
        output
            .lines()
            .filter(l -> l.toLowerCase(Locale.ROOT).contains("error"))
            .map(String::strip)
            .collect(Collectors.joining("; "));
    return errors.isEmpty() ? output.strip() : errors;
  }

  String compose(Duration timeout, String... args) {
    return check(composeCommand(args), timeout);
  }

  private List<String> composeCommand(String... args) {
    List<String> command = new ArrayList<>(List.of("docker", "compose"));
    for (String f : files) {
      command.add("-f");
      command.add(f);
    }
    command.addAll(List.of(args));
    return command;
  }

  String docker(Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    return check(command, timeout);
  }

  String containerId(String service) {
    return compose(Duration.ofSeconds(30), "ps", "-aq", service).strip();
  }

  String health(String service) {
    return docker(
            Duration.ofSeconds(30),
            "inspect",
            "-f",
            "{{.State.Health.Status}}",
            containerId(service))
        .strip();
  }

  /** The last lines of every service's log, for a failure report; never throws. */
  String logs() {
    try {
      return exec(
              root,
              composeCommand("logs", "--no-color", "--timestamps", "--tail", "300"),
              Duration.ofSeconds(60))
          .output();
    } catch (IOException | RuntimeException e) {
      return "(no logs: " + e + ")";
    }
  }

  private String check(List<String> command, Duration timeout) {
    try {
      Result r = exec(root, command, timeout);
      if (r.exit() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + r.exit() + ":\n" + r.output());
      }
      return r.output();
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
    }
  }

  private record Result(int exit, String output) {}

  private static Result exec(Path dir, List<String> command, Duration timeout) throws IOException {
    Path out = Files.createTempFile("compose", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (!done) {
        p.destroyForcibly();
        throw new IOException(
            "timed out after "
                + timeout.toSeconds()
                + " s:\n"
                + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
