package dev.roster.client;

import static dev.roster.client.Clients.fast;
import static dev.roster.client.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.StubNode.Answer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The threading model of docs/client.md: a fixed number of named threads whatever the load, no
 * thread started per request, and completions and listener calls on those threads, never on the
 * JDK's default async executor.
 */
class ThreadingTest {
  private static final String IO = "roster-client-\\d+-io-\\d+";
  private static final String EVENTS = "roster-client-\\d+-events";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final Started started = new Started();

  private StubNode node() {
    return started.node();
  }

  private RosterClient client(RosterClient.Builder b) {
    return started.client(b);
  }

  @Test
  void aThousandRenewingRegistrationsKeepTheClientsThreadsUnderAFixedBound() {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    AtomicInteger most = new AtomicInteger();

    renewAThousandTwice(() -> most.accumulateAndGet(clientThreads(before), Math::max), () -> {});

    // scheduler + events + poll + at most ioThreads (4) I/O
    // threads + the HttpClient's 2 and its selector
    assertThat(most.get()).as("client threads at the busiest moment seen").isBetween(3, 6 + 4);
  }

  @Test
  void twoThousandRenewsStartNoThreadsAndRunNothingOnTheCommonPool() {
    ThreadMXBean jvm = ManagementFactory.getThreadMXBean();
    AtomicLong startedBefore = new AtomicLong();
    AtomicLong stealsBefore = new AtomicLong();

    // from once the client's (and the stub's) threads exist: the first 50 registrations are done
    renewAThousandTwice(
        () -> {},
        () -> {
          startedBefore.set(jvm.getTotalStartedThreadCount());
          stealsBefore.set(ForkJoinPool.commonPool().getStealCount());
        });

    // on 2 CPUs the CompletableFuture default executor starts a thread per task (one per response
    // of HttpClient.sendAsync); with more, that task runs on the common pool instead
    assertThat(jvm.getTotalStartedThreadCount() - startedBefore.get())
        .as("threads started during 950 registers and 2000 renews")
        .isLessThan(20);
    assertThat(ForkJoinPool.commonPool().getStealCount() - stealsBefore.get())
        .as("tasks run on ForkJoinPool.commonPool meanwhile")
        .isLessThan(20);
  }

  /**
   * 1 000 registrations in batches of 50 on a client that watches one application, until the stub
   * has seen 2 000 renews: {@code sample} runs after each batch and while waiting, {@code
   * afterFirstBatch} once.
   */
  private void renewAThousandTwice(Runnable sample, Runnable afterFirstBatch) {
    StubNode leader = node().actingAsLeader();
    FakeApps apps = new FakeApps();
    apps.serveOn(leader);
    apps.put("users", 1, "u1");
    RosterClient client =
        client(
            fast(leader.url())
                .renewInterval(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(5))
                .deadline(Duration.ofSeconds(15)));
    client.watch("users", now -> {});

    // 50 at a time: the stub's backlog, not the client, limits
    for (int batch = 0; batch < 20; batch++) {
      List<CompletableFuture<Registration>> pending = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        pending.add(client.registerAsync(instance("billing", "h" + batch + "-" + i)));
      }
      pending.forEach(CompletableFuture::join);
      sample.run();
      if (batch == 0) {
        afterFirstBatch.run();
      }
    }
    await("every registration renewed twice")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              sample.run();
              return leader.count("/discovery/renew") >= 2000;
            });
  }

  @Test
  void listenersRunOnTheEventsThread() {
    StubNode n = node();
    FakeApps apps = new FakeApps();
    apps.serveOn(n);
    apps.put("users", 1, "u1");
    RosterClient client = client(fast(n.url()));
    List<String> threads = new CopyOnWriteArrayList<>();

    client.watch("users", now -> threads.add(Thread.currentThread().getName()));
    await().atMost(WAIT).until(() -> !threads.isEmpty());
    apps.put("users", 2, "u1", "u2");
    await().atMost(WAIT).until(() -> threads.size() >= 2);

    assertThat(threads).allMatch(t -> t.matches(EVENTS), "named " + EVENTS);
  }

  @Test
  void continuationsOfTheAsyncMethodsRunOnTheClientsIoThreads() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    StubNode leader =
        node()
            .actingAsLeader()
            .on(
                "/discovery/fetch",
                r -> {
                  // so that every continuation is attached before the answer
                  answer.await(10, TimeUnit.SECONDS);
                  return Answer.ok(StubNode.appData("users", 5, "u1"));
                });
    RosterClient client = client(fast(leader.url()).deadline(Duration.ofSeconds(5)));

    CompletableFuture<String> fetched =
        client.fetchAsync(Query.app("users")).thenApply(a -> Thread.currentThread().getName());
    answer.countDown();

    assertThat(fetched.get(10, TimeUnit.SECONDS)).matches(IO);
  }

  @Test
  void anOutcomeReachedAfterABackoffCompletesOnAnIoThreadNotTheScheduler() throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    StubNode leader =
        node()
            .on(
                "/discovery/register",
                r -> {
                  if (attempts.incrementAndGet() == 1) {
                    attached.await(10, TimeUnit.SECONDS);
                    return Answer
                        .unavailable(); // the retry runs after a backoff, from the scheduler's
                    // timer
                  }
                  return Answer.ok(StubNode.instanceOf(r));
                })
            .on("/discovery/cancel", r -> Answer.ok(null));
    RosterClient client = client(fast(leader.url()));

    AtomicReference<String> registeredOn = new AtomicReference<>();
    CompletableFuture<Registration> registered =
        client
            .registerAsync(instance("billing", "h1"))
            .whenComplete((r, e) -> registeredOn.set(Thread.currentThread().getName()));
    attached.countDown();
    registered.get(10, TimeUnit.SECONDS);

    assertThat(attempts.get()).isEqualTo(2);
    assertThat(registeredOn.get()).matches(IO);
  }

  @Test
  void aFailureCompletesOnAnIoThread() throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    StubNode busy =
        node()
            .on(
                "/discovery/fetch",
                r -> {
                  attached.await(10, TimeUnit.SECONDS);
                  return Answer.unavailable();
                });
    RosterClient client = client(fast(busy.url()).deadline(Duration.ofMillis(500)));

    CompletableFuture<String> failedOn =
        client
            .fetchAsync(Query.app("users"))
            .handle(
                (a, e) ->
                    e instanceof CompletionException
                            && e.getCause() instanceof RosterUnavailableException
                        ? Thread.currentThread().getName()
                        : "no failure: " + e);
    attached.countDown();

    assertThat(failedOn.get(10, TimeUnit.SECONDS)).matches(IO);
  }

  /** Live threads the client started: its named pools and the JDK HttpClient's selector. */
  private static int clientThreads(Set<Thread> before) {
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (t.isAlive()
          && !before.contains(t)
          && (name.startsWith("roster-client-")
              || name.matches("HttpClient-\\d+-SelectorManager"))) {
        n++;
      }
    }
    return n;
  }
}
