package dev.roster.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one long poll of a client: every watched application is in the same {@code /discovery/polls}
 * request, with the version last seen of each. When the set of watched applications changes the
 * poll in flight is abandoned and a new one started.
 *
 * <p>The loop: applications not seen yet are fetched once (a linearizable {@code
 * /discovery/fetchs}) so their listeners start from the current state; then poll; a change is
 * handed to the listeners and the next poll starts at once. The registry's polls does not report an
 * application that disappeared (its last instance cancelled or evicted): it parks on it as on one
 * that does not exist yet (older registries answered -404 when none existed), so after a hold that
 * ended with nothing new, and after a -404, the applications already seen are checked with one
 * linearizable fetchs. Failures pause with backoff; listeners keep what they had.
 */
final class Poller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);

  private final Core core;
  private final Map<String, AppWatch> apps = new LinkedHashMap<>(); // guarded by this
  private RetryingCall inFlight; // guarded by this
  private ScheduledFuture<?> pause; // guarded by this
  private int generation; // guarded by this
  private int pauses; // guarded by this
  private boolean unreachable; // guarded by this
  private boolean closed; // guarded by this

  Poller(Core core) {
    this.core = core;
  }

  synchronized Watch watch(String appid, InstancesListener listener) {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
    AppWatch app = apps.get(appid);
    boolean added = app == null;
    if (added) {
      app = new AppWatch(appid);
      apps.put(appid, app);
    }
    Watch watch = new Watch(this, app, listener);
    app.add(watch);
    if (added) {
      restart();
    }
    return watch;
  }

  synchronized void unwatch(AppWatch app, Watch watch) {
    if (app.remove(watch) && apps.get(app.appid()) == app) {
      apps.remove(app.appid());
      restart();
    }
  }

  /** The last known version of a watched application, or null. */
  synchronized AppInstances current(String appid) {
    AppWatch app = apps.get(appid);
    return app == null ? null : app.current();
  }

  @Override
  public synchronized void close() {
    closed = true;
    stop();
    apps.clear();
  }

  private void stop() {
    generation++;
    if (inFlight != null) {
      inFlight.abort();
      inFlight = null;
    }
    if (pause != null) {
      pause.cancel(false);
      pause = null;
    }
  }

  private void restart() {
    stop();
    pauses = 0;
    next(generation);
  }

  private void next(int gen) {
    if (closed || gen != generation || apps.isEmpty()) {
      return;
    }
    List<String> unseen = new ArrayList<>();
    apps.values()
        .forEach(
            a -> {
              if (!a.seen()) {
                unseen.add(a.appid());
              }
            });
    if (!unseen.isEmpty()) {
      fetch(gen, unseen);
    } else {
      poll(gen);
    }
  }

  private void poll(int gen) {
    Form form = new Form().add("env", core.settings().env());
    List<Long> since = new ArrayList<>();
    for (AppWatch a : apps.values()) {
      form.add("appid", a.appid());
      since.add(a.known());
    }
    form.addAll("latest_timestamp", since).add("hold", Wire.millis(core.settings().pollHold()));
    Duration hold = core.settings().pollHold();
    Call call =
        new Call(false, "/discovery/polls", form, hold.plus(core.settings().requestTimeout()));
    RetryingCall op = core.transport().startPoll(call, hold.plus(core.settings().deadline()));
    inFlight = op;
    op.result().whenComplete((reply, e) -> onPoll(gen, reply, e));
  }

  private synchronized void onPoll(int gen, Reply reply, Throwable error) {
    if (gen != generation || closed) {
      return;
    }
    inFlight = null;
    if (error != null) {
      failed(gen, error);
      return;
    }
    reachable();
    if (reply.ok()) {
      pauses = 0;
      for (Map.Entry<String, JsonNode> e : reply.data().properties()) {
        AppWatch app = apps.get(e.getKey());
        if (app != null) {
          app.offer(core.wire().appInstances(e.getKey(), e.getValue()));
        }
      }
      next(gen);
    } else if (reply.notModified()) {
      // the registry parks a poll of an application that no longer exists, as discovery does:
      // only a fetch tells that one we saw has gone
      boolean anySeenPresent = apps.values().stream().anyMatch(a -> a.known() > 0);
      if (anySeenPresent) {
        fetch(gen, new ArrayList<>(apps.keySet()));
      } else {
        next(gen);
      }
    } else {
      // -404: none of the applications exists on that node; confirm those we saw, then wait
      // (the registry answers this at once, so polling again right away would spin)
      List<String> seenPresent = new ArrayList<>();
      apps.values()
          .forEach(
              a -> {
                if (a.known() > 0) {
                  seenPresent.add(a.appid());
                }
              });
      if (seenPresent.isEmpty()) {
        pause(gen);
      } else {
        fetch(gen, seenPresent);
      }
    }
  }

  /**
   * Reads {@code appids} with one linearizable fetchs: a lagging node could otherwise start a
   * listener with an empty list for an application that exists, or report one gone that is not.
   */
  private void fetch(int gen, List<String> appids) {
    Form form =
        new Form()
            .add("env", core.settings().env())
            .addAll("appid", appids)
            .add("status", Status.UP.code())
            .add("consistent", "true");
    RetryingCall op =
        core.transport()
            .startPoll(core.call(false, "/discovery/fetchs", form), core.settings().deadline());
    inFlight = op;
    op.result().whenComplete((reply, e) -> onFetch(gen, appids, reply, e));
  }

  private synchronized void onFetch(int gen, List<String> appids, Reply reply, Throwable error) {
    if (gen != generation || closed) {
      return;
    }
    inFlight = null;
    if (error != null) {
      failed(gen, error);
      return;
    }
    reachable();
    if (!reply.ok()) {
      pause(gen);
      return;
    }
    boolean anyPresent = false;
    for (String appid : appids) {
      AppWatch app = apps.get(appid);
      JsonNode data = reply.data().get(appid);
      anyPresent |= data != null;
      if (app != null) {
        app.offer(
            data == null ? AppInstances.absent(appid) : core.wire().appInstances(appid, data));
      }
    }
    if (!anyPresent && apps.values().stream().allMatch(a -> a.known() == 0)) {
      pause(gen); // nothing exists: the next poll would answer -404 at once
    } else {
      next(gen);
    }
  }

  private void failed(int gen, Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cause.getCause() instanceof CancellationException) {
      return;
    }
    if (!unreachable) {
      unreachable = true;
      log.warn(
          "watch of {} cannot reach the registry, keeping the last known instances: {}",
          apps.keySet(),
          cause.getMessage());
    }
    pause(gen);
  }

  private void reachable() {
    if (unreachable) {
      unreachable = false;
      log.info("watch of {} reaches the registry again", apps.keySet());
    }
  }

  private void pause(int gen) {
    long delay =
        Backoff.millis(++pauses, core.settings().backoffMin(), core.settings().backoffMax());
    try {
      pause =
          core.scheduler()
              .schedule(
                  () -> {
                    synchronized (this) {
                      pause = null;
                      next(gen);
                    }
                  },
                  delay,
                  TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** The state of one watched application and its watches. */
  final class AppWatch {
    private final String appid;
    private final List<Watch> watches = new ArrayList<>(); // guarded by this
    private AppInstances current; // guarded by this

    AppWatch(String appid) {
      this.appid = appid;
    }

    String appid() {
      return appid;
    }

    synchronized AppInstances current() {
      return current;
    }

    synchronized boolean seen() {
      return current != null;
    }

    /** The version last seen, 0 if none (or the application does not exist). */
    synchronized long known() {
      return current == null ? 0 : current.latestTimestamp();
    }

    synchronized void add(Watch watch) {
      watches.add(watch);
      if (current != null) {
        AppInstances now = current;
        dispatch(watch, now);
      }
    }

    /** Removes a watch; true if none is left. */
    synchronized boolean remove(Watch watch) {
      watches.remove(watch);
      return watches.isEmpty();
    }

    /**
     * Takes a version if it is news: the first one, a newer one, or the application's
     * disappearance. Older versions (a lagging node) are ignored, so listeners never go back.
     */
    synchronized void offer(AppInstances next) {
      boolean news =
          current == null
              || next.latestTimestamp() > current.latestTimestamp()
              || (next.latestTimestamp() == 0 && current.latestTimestamp() != 0);
      if (!news) {
        return;
      }
      current = next;
      for (Watch w : watches) {
        dispatch(w, next);
      }
    }

    private void dispatch(Watch watch, AppInstances state) {
      try {
        core.events()
            .execute(
                () -> {
                  try {
                    watch.deliver(state);
                  } catch (RuntimeException e) {
                    log.warn(
                        "listener of {} failed on {} instances",
                        appid,
                        state.instances().size(),
                        e);
                  }
                });
      } catch (RejectedExecutionException e) {
        // the client is closed
      }
    }
  }
}
