package dev.roster.client;

import java.net.URI;
import java.time.Duration;

/**
 * One attempt of a call on one node: the seam between the retry policy ({@link RetryingCall}) and
 * the wire ({@link HttpExchange}), so that the policy can be tested with scripted outcomes.
 */
interface Exchange {
  /**
   * Sends {@code call} to {@code node} once, blocking the calling thread until the outcome. Never
   * throws for what the node or the network did; that is the outcome.
   *
   * @param timeout the longest the whole exchange may take
   * @param sending the handle through which the caller may interrupt the exchange; the exchange
   *     calls its {@link Sending#finished()} once the interruptible part is over
   */
  Outcome send(Call call, URI node, Duration timeout, Sending sending);

  /** Releases the connections; later exchanges end {@link Outcome.Kind#CLOSED}. */
  void close();
}
