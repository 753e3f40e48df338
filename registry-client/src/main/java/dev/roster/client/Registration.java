package dev.roster.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registered instance that the client keeps alive: it renews every renew interval (minus up to 20
 * % random jitter, so a fleet started together does not renew in lockstep), registers again when
 * the registry no longer knows the instance (evicted, or lost with a wiped cluster), and keeps
 * trying through node failures, leader changes and outages. {@link #close()} stops renewing and
 * cancels the instance.
 *
 * <p>The operations of one registration (register, renew, status change, cancel) run one after
 * another, never overlapping, so a cancel can never be overtaken by a renew or re-register.
 */
public final class Registration implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Registration.class);

  private final Core core;
  private final Instance spec;
  private final Consumer<Registration> onClosed;
  private final Object lock = new Object();
  private volatile Status desired;
  private volatile Instance current;
  private volatile boolean closed;
  private volatile boolean renewFailing;
  private volatile RetryingCall inFlight;
  private volatile ScheduledFuture<?> nextRenew;
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null); // guarded by lock
  private CompletableFuture<Void> closing; // guarded by lock

  Registration(Core core, Instance spec, Consumer<Registration> onClosed) {
    this.core = core;
    this.spec = spec;
    this.onClosed = onClosed;
    this.desired = spec.status();
    this.current = spec;
  }

  /** Registers, then starts renewing; fails (and ends this handle) if the first register fails. */
  CompletableFuture<Registration> start() {
    return enqueue(this::registerOnce)
        .handle(
            (instance, e) -> {
              if (e != null) {
                synchronized (lock) {
                  closed = true;
                }
                onClosed.accept(this);
                throw Futures.unwrap(e);
              }
              scheduleRenew(renewDelayMillis());
              return this;
            });
  }

  /** The instance as the registry last returned it (timestamps included). */
  public Instance instance() {
    return current;
  }

  /** The status this registration keeps (also used when it registers again). */
  public Status status() {
    return desired;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Changes the instance's status, e.g. {@code WAITING} to drain before shutdown or {@code UP} once
   * warmed up. Blocks until the registry accepted it.
   *
   * @throws RosterUnavailableException if the registry could not be reached within the deadline
   *     (the registration still remembers the status and uses it when it registers again)
   */
  public void setStatus(Status status) {
    Futures.await(
        setStatusAsync(status),
        core.syncBound().plus(core.settings().deadline())); // may queue behind one renew
  }

  /** {@link #setStatus} without blocking. */
  public CompletableFuture<Void> setStatusAsync(Status status) {
    Args.notNull(status, "status");
    requireOpen();
    desired = status; // a register that runs from now on (e.g. after eviction) carries it
    return enqueue(
        () ->
            write("/discovery/set", identity().add("status", status.code()))
                .thenCompose(
                    reply -> {
                      if (reply.ok()) {
                        current = current.withStatus(status);
                        return CompletableFuture.completedFuture(null);
                      }
                      log.info(
                          "{} was not found by the registry while setting {}: registering it again",
                          this,
                          status);
                      return registerOnce().thenApply(i -> null);
                    }));
  }

  /**
   * Stops renewing and cancels the instance in the registry, waiting at most the client's deadline.
   * Never throws: if the registry cannot be reached, the failure is logged and the registry evicts
   * the instance after its expiry. Idempotent.
   */
  @Override
  public void close() {
    try {
      Futures.await(closeAsync(), core.syncBound().plus(core.settings().requestTimeout()));
    } catch (RosterException e) {
      log.warn("{}: cancel did not finish: {}", this, e.getMessage());
    }
  }

  /** {@link #close()} without blocking; the future never fails. */
  public CompletableFuture<Void> closeAsync() {
    synchronized (lock) {
      if (closing != null) {
        return closing;
      }
      closed = true;
      ScheduledFuture<?> renew = nextRenew;
      if (renew != null) {
        renew.cancel(false);
      }
      RetryingCall op = inFlight;
      if (op != null) {
        op.stopRetrying(); // its attempt in flight finishes first: the cancel comes after it
      }
      closing =
          enqueue(() -> write("/discovery/cancel", identity()))
              .handle(
                  (reply, e) -> {
                    if (e != null) {
                      log.warn(
                          "{}: could not cancel ({}); the registry will evict it after its expiry",
                          this,
                          Futures.unwrap(e).getMessage());
                    }
                    onClosed.accept(this);
                    return null;
                  });
      return closing;
    }
  }

  @Override
  public String toString() {
    return "Registration{" + spec.appid() + "/" + spec.hostname() + "}";
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  private void renewNow() {
    enqueue(
            () -> {
              if (closed) {
                return CompletableFuture.completedFuture(null);
              }
              return write("/discovery/renew", identity())
                  .thenCompose(
                      reply -> {
                        if (reply.ok()) {
                          current = core.wire().instance(reply.data());
                          return CompletableFuture.completedFuture(null);
                        }
                        if (closed) {
                          return CompletableFuture.completedFuture(null);
                        }
                        log.info(
                            "{} is unknown to the registry (evicted?): registering it again", this);
                        return registerOnce().thenApply(i -> null);
                      });
            })
        .whenComplete(
            (v, e) -> {
              if (closed) {
                return;
              }
              if (e == null) {
                if (renewFailing) {
                  renewFailing = false;
                  log.info("{}: renewing again", this);
                }
                scheduleRenew(renewDelayMillis());
              } else {
                if (!renewFailing) {
                  renewFailing = true;
                  log.warn("{}: renew failed, retrying: {}", this, Futures.unwrap(e).getMessage());
                }
                scheduleRenew(retryDelayMillis());
              }
            });
  }

  private CompletableFuture<Instance> registerOnce() {
    Form form =
        identity()
            .addAll("addrs", spec.addrs())
            .add("status", desired.code())
            .add("version", spec.version());
    if (!spec.region().isEmpty()) {
      form.add("region", spec.region()); // not sent when unset: nothing changes for such instances
    }
    if (!spec.metadata().isEmpty()) {
      form.add("metadata", core.wire().metadata(spec.metadata()));
    }
    return write("/discovery/register", form)
        .thenApply(
            reply -> {
              if (!reply.ok()) {
                throw new RosterException(
                    reply.code(),
                    this + ": register answered " + reply.code() + " " + reply.message(),
                    null);
              }
              current = core.wire().instance(reply.data());
              return current;
            });
  }

  private Form identity() {
    return new Form()
        .add("zone", spec.zone())
        .add("env", spec.env())
        .add("appid", spec.appid())
        .add("hostname", spec.hostname());
  }

  private CompletableFuture<Reply> write(String path, Form form) {
    RetryingCall op =
        core.transport().start(core.call(true, path, form), core.settings().deadline());
    inFlight = op;
    // a finished operation holds its last answer: not worth keeping for every registration
    return op.result().whenComplete((reply, e) -> clearInFlight(op));
  }

  private void clearInFlight(RetryingCall done) {
    synchronized (lock) {
      if (inFlight == done) {
        inFlight = null;
      }
    }
  }

  private <T> CompletableFuture<T> enqueue(Supplier<CompletableFuture<T>> step) {
    synchronized (lock) {
      CompletableFuture<T> next = tail.handle((x, e) -> null).thenCompose(x -> step.get());
      tail = next;
      return next;
    }
  }

  private void scheduleRenew(long delayMillis) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        nextRenew = core.scheduler().schedule(this::renewNow, delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the client is closing; it cancels this registration
      }
    }
  }

  private long renewDelayMillis() {
    long interval = core.settings().renewInterval().toMillis();
    return interval - ThreadLocalRandom.current().nextLong(interval / 5 + 1);
  }

  /** After a failed renew (already retried up to the deadline): soon, but not in a tight loop. */
  private long retryDelayMillis() {
    Duration d =
        core.settings().backoffMax().compareTo(core.settings().renewInterval()) < 0
            ? core.settings().backoffMax()
            : core.settings().renewInterval();
    return Backoff.millis(Integer.MAX_VALUE, d, d);
  }
}
