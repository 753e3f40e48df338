package dev.roster.client;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Starts the calls of one client, each a {@link RetryingCall} on the threads its kind needs: the
 * I/O pool for ordinary calls, the poll thread for the watch loop.
 */
final class Transport {
  private final RetryingCall.Context context;
  private final Executor io;
  private final Executor polls;

  /**
   * @param io runs the attempts (blocked in the exchange) of every call but the watch loop's, and
   *     completes their results
   * @param polls runs the attempts of the watch loop, whose long poll holds its thread for up to
   *     {@code pollHold}: so that it never takes one of the I/O threads from short calls
   */
  Transport(RetryingCall.Context context, Executor io, Executor polls) {
    this.context = context;
    this.io = io;
    this.polls = polls;
  }

  /** Starts {@code call} on the I/O threads; it ends at the latest {@code deadline} from now. */
  RetryingCall start(Call call, Duration deadline) {
    return start(call, deadline, false);
  }

  /**
   * Like {@link #start(Call, Duration)}; with {@code failFast} it gives up as soon as every known
   * node has failed once (see {@link RetryingCall}).
   */
  RetryingCall start(Call call, Duration deadline, boolean failFast) {
    return new RetryingCall(context, call, deadline, failFast, io).start();
  }

  /** Like {@link #start(Call, Duration)}, on the watch loop's own thread. */
  RetryingCall startPoll(Call call, Duration deadline) {
    return new RetryingCall(context, call, deadline, false, polls).start();
  }

  /** Closes the exchange: calls still retrying end with "the client is closed". */
  void close() {
    context.exchange().close();
  }
}
