package dev.roster.node.util;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadFactory;

/** The two concurrency helpers every layer needs: named daemon threads, and a future's cause. */
public final class Concurrency {
  private Concurrency() {}

  /**
   * Threads named {@code name} that do not keep the JVM alive: every background timer of a node is
   * stopped by its owner's {@code close()}, and must never hold up an exit.
   */
  public static ThreadFactory daemonThreads(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The exception a {@code CompletableFuture} stage failed with, without its wrapper. */
  public static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
