package dev.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes: {@link FakeNode} in a jar of its own, started through {@link NodeLaunch} exactly
 * as a node is. Every process started here is killed by its handle after the test.
 */
class NodeProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CLASS = FakeNode.class.getName().replace('.', '/') + ".class";

  @TempDir static Path jarDir;
  @TempDir Path dir;

  private static Path jar;
  private final List<NodeProcess> started = new ArrayList<>();

  @BeforeAll
  static void packFakeNode() throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeNode.class.getName());
    jar = jarDir.resolve("fake-node.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, m);
        InputStream c = FakeNode.class.getClassLoader().getResourceAsStream(CLASS)) {
      j.putNextEntry(new JarEntry(CLASS));
      c.transferTo(j);
      j.closeEntry();
    }
  }

  @AfterEach
  void killWhatIsLeft() {
    for (NodeProcess p : started) {
      p.kill(WAIT);
    }
  }

  private NodeLaunch.Builder launch(String... nodeArgs) {
    return NodeLaunch.builder()
        .jvmOptions(List.of("-Xmx32m", "-XX:TieredStopAtLevel=1", "-Dfake.marker=yes"))
        .jar(jar)
        .http("127.0.0.1:7171")
        .raft("127.0.0.1:7271")
        .peers(List.of("127.0.0.1:7271", "127.0.0.1:7272"))
        .data(dir.resolve("data"))
        .nodeArgs(List.of(nodeArgs))
        .log(dir.resolve("logs").resolve("node.log"));
  }

  private NodeProcess start(NodeLaunch l) {
    NodeProcess p = l.start();
    started.add(p);
    awaitLog(p, "running");
    return p;
  }

  private static String log(NodeProcess p) {
    try {
      return Files.readString(p.log());
    } catch (IOException e) {
      return "";
    }
  }

  private static void awaitLog(NodeProcess p, String text) {
    await(() -> log(p).contains(text), "log to contain '" + text + "': " + p);
  }

  private static void await(BooleanSupplier condition, String what) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void runsTheCommandAppendingItsOutputToTheLogAndKillIsSigkill() throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Files.writeString(dir.resolve("logs").resolve("node.log"), "earlier run\n");

    NodeProcess p = start(launch("--expire", "1h").build());

    assertThat(p.isAlive()).isTrue();
    assertThat(p.pid()).isEqualTo(p.process().pid()).isPositive();
    String log = log(p);
    assertThat(log)
        .startsWith("earlier run\n")
        .contains(
            "args: --http 127.0.0.1:7171 --raft 127.0.0.1:7271 --peers 127.0.0.1:7271,127.0.0.1:7272"
                + " --data "
                + dir.resolve("data")
                + " --expire 1h")
        .contains("-Xmx32m", "-Dfake.marker=yes");

    assertThat(p.kill(WAIT)).isTrue();
    assertThat(p.isAlive()).isFalse();
    assertThat(p.exitValue()).as("128 + SIGKILL").isEqualTo(137);
    assertThat(log(p)).doesNotContain("bye");
  }

  @Test
  void terminateIsSigtermAndTheShutdownHooksRun() {
    NodeProcess p = start(launch().build());

    p.terminate();

    assertThat(p.waitFor(WAIT)).isTrue();
    assertThat(p.exitValue()).as("128 + SIGTERM").isEqualTo(143);
    assertThat(log(p)).contains("bye");
  }

  @Test
  void stopKillsWhatDoesNotExitWithinTheGrace() {
    NodeProcess p = start(launch("--stubborn").build());

    long t0 = System.nanoTime();
    assertThat(p.stop(Duration.ofMillis(500), WAIT)).isTrue();

    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(p.exitValue()).as("killed after the grace").isEqualTo(137);
    assertThat(log(p)).as("SIGTERM came first").contains("bye");
  }

  @Test
  void stopAndContinueByPidAndKillEndsAStoppedProcess() {
    NodeProcess p = start(launch().build());

    p.signal("STOP");
    await(p::isStopped, "state T");
    p.signal("CONT");
    await(() -> !p.isStopped(), "running again");
    p.signal("STOP");
    await(p::isStopped, "state T again");

    assertThat(p.kill(WAIT)).isTrue();
    assertThat(p.exitValue()).isEqualTo(137);
    assertThat(p.isStopped()).isFalse();
  }

  @Test
  void signalsGoOnlyToALiveProcessAndAFailedKillIsAnError() {
    NodeProcess p = start(launch().build());

    assertThatThrownBy(() -> p.signal("NOSUCHSIGNAL"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kill, -NOSUCHSIGNAL, " + p.pid());
    assertThat(p.isAlive()).isTrue();

    p.kill(WAIT);
    assertThatThrownBy(() -> p.signal("CONT"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has exited");
  }

  @Test
  void stdinIsAPipeFromUsUnlessDevNullIsAsked() throws IOException {
    NodeProcess piped = start(launch().build());
    assertThat(log(piped)).doesNotContain("stdin: eof");
    piped.process().getOutputStream().close();
    awaitLog(piped, "stdin: eof");
    piped.kill(WAIT);

    Files.delete(piped.log());
    NodeProcess devNull = start(launch().stdinFromDevNull().build());
    awaitLog(devNull, "stdin: eof");
  }

  @Test
  void aSpecStartsAgainOnTheSameLog() {
    NodeLaunch l = launch().build();
    NodeProcess first = start(l);
    first.kill(WAIT);

    NodeProcess second = l.start();
    started.add(second);

    assertThat(second.pid()).isNotEqualTo(first.pid());
    await(() -> log(second).split("running", -1).length == 3, "two runs in one log");
    assertThat(log(second)).startsWith("args: ");
  }
}
