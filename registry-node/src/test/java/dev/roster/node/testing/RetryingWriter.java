package dev.roster.node.testing;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * Sends a write the way a well-behaved client does: follows 307 to the leader, and on -503 or a
 * connection failure tries the next node after a short pause, until the deadline.
 */
public final class RetryingWriter {
  private final List<String> nodes;
  private int next;

  public RetryingWriter(List<String> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /** The final response (code 0 or a non-retryable error), or null if the deadline passed. */
  public Http.Response post(String path, String form, long deadlineNanos) {
    String target = nodes.get(next);
    while (System.nanoTime() < deadlineNanos) {
      try {
        Http.Response r = Http.postForm(target + path, form);
        if (r.status() == 307) {
          target = r.data().path("leader").asText();
          continue;
        }
        if (r.code() != -503) {
          return r;
        }
      } catch (UncheckedIOException e) {
        // node down: try another
      }
      next = (next + 1) % nodes.size();
      target = nodes.get(next);
      pause();
    }
    return null;
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
