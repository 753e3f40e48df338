package dev.roster.client;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns the outcomes of async operations into what the sync methods throw: waits a bounded time and
 * unwraps the failure into the {@link RosterException} (or argument error) it carries.
 */
final class Futures {
  private Futures() {}

  /** Waits for an operation's outcome at most {@code bound}, rethrowing its failure unwrapped. */
  static <T> T await(CompletableFuture<T> future, Duration bound) {
    try {
      return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new RosterUnavailableException("no outcome within " + bound.toMillis() + " ms", e);
    } catch (CancellationException e) {
      throw new RosterException("the operation was cancelled (client or handle closed)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new RosterException("interrupted while waiting for the registry", e);
    }
  }

  static RuntimeException unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof RosterException r) {
      return r;
    }
    if (t instanceof CancellationException c) {
      return new RosterException("the operation was cancelled (client or handle closed)", c);
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    return new RosterException(String.valueOf(t), t);
  }
}
