package dev.roster.client;

/**
 * The thread blocked in one exchange, so that an abort or the exchange's guard can interrupt it
 * (HttpClient.send then cancels the exchange), and only it: an interrupt that comes too late is
 * cleared before the thread goes on.
 */
final class Sending {
  private Thread thread; // guarded by this; null once the exchange has returned
  private boolean timedOut; // guarded by this

  /** The exchange that {@code thread} is about to run. */
  Sending(Thread thread) {
    this.thread = thread;
  }

  /** Interrupts the exchange if it still runs; {@code timeout} says the guard did it. */
  synchronized void interrupt(boolean timeout) {
    if (thread != null) {
      timedOut |= timeout;
      thread.interrupt();
    }
  }

  synchronized boolean timedOut() {
    return timedOut;
  }

  /** The exchange returned: later interrupts do nothing, a pending one is cleared. */
  synchronized void finished() {
    if (thread != null) {
      thread = null;
      Thread.interrupted();
    }
  }
}
