package dev.roster.client;

import java.util.Optional;

/**
 * A listener watching one application. Its listener is called first with the application's current
 * UP instances (empty if it does not exist yet) and then once per new version, in order. While the
 * registry is unreachable nothing is called and {@link #current()} keeps the last known instances.
 * {@link #close()} stops the calls (also calls already queued).
 */
public final class Watch implements AutoCloseable {
  private final Poller poller;
  private final Poller.AppWatch app;
  private final InstancesListener listener;
  private volatile boolean closed;

  Watch(Poller poller, Poller.AppWatch app, InstancesListener listener) {
    this.poller = poller;
    this.app = app;
    this.listener = listener;
  }

  public String appid() {
    return app.appid();
  }

  /** The last version seen, empty until the registry answered once. Served from memory. */
  public Optional<AppInstances> current() {
    return Optional.ofNullable(app.current());
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      poller.unwatch(app, this);
    }
  }

  void deliver(AppInstances state) {
    if (!closed) {
      listener.onChange(state);
    }
  }

  @Override
  public String toString() {
    return "Watch{" + app.appid() + (closed ? ", closed" : "") + "}";
  }
}
