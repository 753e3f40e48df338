package dev.roster.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.ObjLongConsumer;

/** The simulated instances (hostname h-i of application prefix + i % apps) and load helpers. */
final class Load {
  final String env;
  final String prefix;
  final int instances;
  final int apps;

  Load(String env, String prefix, int instances, int apps) {
    if (apps < 1 || instances < apps) {
      throw new IllegalArgumentException(
          "need instances >= apps >= 1, got " + instances + " over " + apps);
    }
    this.env = env;
    this.prefix = prefix;
    this.instances = instances;
    this.apps = apps;
  }

  String appid(int app) {
    return prefix + app;
  }

  int appOf(int instance) {
    return instance % apps;
  }

  String registerBody(int i, String version) {
    return "zone=z1&env="
        + env
        + "&appid="
        + appid(appOf(i))
        + "&hostname=h-"
        + i
        + "&addrs=http%3A%2F%2F10."
        + ((i >> 16) & 255)
        + "."
        + ((i >> 8) & 255)
        + "."
        + (i & 255)
        + "%3A8080"
        + "&version="
        + version;
  }

  String renewBody(int i) {
    return "zone=z1&env=" + env + "&appid=" + appid(appOf(i)) + "&hostname=h-" + i;
  }

  /**
   * Registers every instance through {@code w}, at most {@code concurrency} in flight, paced to
   * {@code rate} per second if positive. Gives up (and says so in the report) after maxSeconds.
   */
  Report registerAll(Writer w, int concurrency, double rate, long maxSeconds)
      throws InterruptedException {
    return sendAll(
        "register",
        "registered",
        "/discovery/register",
        i -> registerBody(i, "v1"),
        w,
        concurrency,
        rate,
        maxSeconds);
  }

  /** Renews every instance once, as {@link #registerAll} registers them. */
  Report renewAll(Writer w, int concurrency, long maxSeconds) throws InterruptedException {
    return sendAll(
        "renew", "renewed", "/discovery/renew", this::renewBody, w, concurrency, 0, maxSeconds);
  }

  private Report sendAll(
      String what,
      String progress,
      String path,
      IntFunction<String> body,
      Writer w,
      int concurrency,
      double rate,
      long maxSeconds)
      throws InterruptedException {
    Latency lat = new Latency();
    AtomicLong errors = new AtomicLong();
    AtomicLong done = new AtomicLong();
    Semaphore sem = new Semaphore(concurrency);
    long t0 = System.nanoTime();
    long deadline = t0 + maxSeconds * 1_000_000_000L;
    long nextPrint = t0 + 10_000_000_000L;
    int sent = 0;
    String lastError = null;
    AtomicLong firstErrorAt = new AtomicLong(-1);
    String[] errorSample = new String[1];
    for (int i = 0; i < instances; i++) {
      if (rate > 0) {
        pace(t0 + (long) (i * 1e9 / rate));
      }
      sem.acquire();
      long now = System.nanoTime();
      if (now > deadline) {
        sem.release();
        lastError = "gave up after " + maxSeconds + " s";
        break;
      }
      if (now > nextPrint) {
        Bench.say(
            "  %s %d of %d (%.0f/s)",
            progress, done.get(), instances, done.get() / ((now - t0) / 1e9));
        nextPrint += 10_000_000_000L;
      }
      long s = now;
      sent++;
      w.post(path, body.apply(i), 10_000)
          .whenComplete(
              (r, e) -> {
                lat.recordNanos(System.nanoTime() - s);
                if (e != null || r.code() != 0) {
                  errors.incrementAndGet();
                  if (firstErrorAt.compareAndSet(-1, System.nanoTime())) {
                    errorSample[0] = e != null ? e.toString() : r.body();
                  }
                }
                done.incrementAndGet();
                sem.release();
              });
    }
    sem.acquire(concurrency);
    sem.release(concurrency);
    double secs = (System.nanoTime() - t0) / 1e9;
    Report rep =
        new Report()
            .put("instances", instances)
            .put("apps", apps)
            .put("sent", sent)
            .put("errors", errors.get())
            .put("seconds", secs)
            .put("rate_per_s", sent / secs)
            .put("concurrency", concurrency)
            .put("latency", lat.summary());
    if (errorSample[0] != null) {
      rep.put(
          "first_error",
          errorSample[0].length() > 300 ? errorSample[0].substring(0, 300) : errorSample[0]);
    }
    if (lastError != null) {
      rep.put("incomplete", lastError);
    }
    Bench.say(
        "%s: %d instances over %d apps in %.1f s = %.0f/s, %d errors; latency %s",
        what, sent, apps, secs, sent / secs, errors.get(), lat.line());
    return rep;
  }

  static void pace(long intendedNanos) {
    long wait;
    while ((wait = intendedNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  /**
   * Calls {@code action(k, intendedNanos)} at {@code rate} per second (open loop: the schedule does
   * not wait for answers) from {@code start} until {@code end}; returns the started thread.
   */
  static Thread pacer(
      String name, double rate, long start, long end, ObjLongConsumer<Long> action) {
    Thread t =
        new Thread(
            () -> {
              if (rate <= 0) {
                return;
              }
              for (long k = 0; ; k++) {
                long intended = start + (long) (k * 1e9 / rate);
                if (intended >= end) {
                  return;
                }
                pace(intended);
                action.accept(k, intended);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
