package dev.roster.testkit;

import java.io.IOException;
import java.lang.management.ManagementFactory;

/**
 * The program that {@link NodeProcessTest} launches in place of a node: prints its arguments, its
 * JVM options and whether its stdin is at end of file, says "bye" from a shutdown hook (SIGTERM),
 * and then idles until it is killed or a minute has passed. With {@code --stubborn} among its
 * arguments its shutdown hook never returns, so only SIGKILL ends it.
 */
public final class FakeNode {
  private FakeNode() {}

  public static void main(String[] args) throws Exception {
    boolean stubborn = java.util.Arrays.asList(args).contains("--stubborn");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("bye");
                  System.out.flush();
                  while (stubborn) {
                    sleep(1000);
                  }
                }));
    System.out.println("args: " + String.join(" ", args));
    System.out.println("jvm: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    Thread stdin =
        new Thread(
            () -> {
              try {
                if (System.in.read() == -1) {
                  System.out.println("stdin: eof");
                }
              } catch (IOException e) {
                System.out.println("stdin: " + e);
              }
            });
    stdin.setDaemon(true);
    stdin.start();
    System.out.println("running");
    System.out.flush();
    sleep(60_000);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
