package dev.roster.client;

import static dev.roster.client.Clients.fast;
import static dev.roster.client.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.roster.client.StubNode.Answer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Renewing, re-registering, status changes and cancelling against a scripted leader. */
class RegistrationTest {
  private StubNode leader;
  private RosterClient client;

  @BeforeEach
  void start() {
    leader = StubNode.start().actingAsLeader();
    client = fast(leader.url()).renewInterval(Duration.ofMillis(100)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    leader.close();
  }

  @Test
  void registerSendsTheInstanceInTheClientsEnvAndZone() {
    Instance me =
        Instance.builder("billing", "h1")
            .addrs("http://10.0.0.7:8080", "grpc://10.0.0.7:9090")
            .version("1.2")
            .metadata("weight", "10")
            .build();

    Registration r = client.register(me);

    StubNode.Request sent = leader.requests("/discovery/register").get(0);
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.param("env")).isEqualTo("test");
    assertThat(sent.param("zone")).isEqualTo("z1");
    assertThat(sent.param("appid")).isEqualTo("billing");
    assertThat(sent.param("hostname")).isEqualTo("h1");
    assertThat(sent.params("addrs"))
        .containsExactly("http://10.0.0.7:8080", "grpc://10.0.0.7:9090");
    assertThat(sent.param("status")).isEqualTo("1");
    assertThat(sent.param("version")).isEqualTo("1.2");
    assertThat(sent.param("metadata")).isEqualTo("{\"weight\":\"10\"}");
    assertThat(r.instance().env()).isEqualTo("test");
    assertThat(r.status()).isEqualTo(Status.UP);
  }

  @Test
  void regionIsSentOnRegisterAndDecodedFromTheAnswer() {
    Registration withRegion =
        client.register(
            Instance.builder("billing", "h1").addrs("http://x").region("cn-east").build());
    Registration without = client.register(instance("billing", "h2"));

    assertThat(leader.requests("/discovery/register").get(0).param("region")).isEqualTo("cn-east");
    assertThat(leader.requests("/discovery/register").get(1).params("region"))
        .as("not sent when unset")
        .isEmpty();
    assertThat(withRegion.instance().region()).isEqualTo("cn-east");
    assertThat(without.instance().region()).as("an answer without the field").isEmpty();
  }

  @Test
  void renewAnsweredNotFoundWithAnOlderRegistrysHttp404RegistersAgain() {
    client.register(instance("billing", "h1"));
    AtomicBoolean evicted = new AtomicBoolean(true);
    leader.on(
        "/discovery/renew",
        r ->
            evicted.getAndSet(false)
                ? Answer.legacy(-404, 404, "instance not found")
                : Answer.ok(StubNode.instanceOf(r)));

    await().atMost(Duration.ofSeconds(5)).until(() -> leader.count("/discovery/register") >= 2);
  }

  @Test
  void renewsEveryIntervalWithJitter() {
    client.register(instance("billing", "h1"));
    long start = System.nanoTime();

    await().atMost(Duration.ofSeconds(5)).until(() -> leader.count("/discovery/renew") >= 5);

    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(elapsedMs).as("5 renews, each 80–100 ms apart").isGreaterThanOrEqualTo(5 * 80 - 20);
    StubNode.Request renew = leader.requests("/discovery/renew").get(0);
    assertThat(renew.param("hostname")).isEqualTo("h1");
    assertThat(renew.param("env")).isEqualTo("test");
  }

  @Test
  void renewAnsweredNotFoundRegistersAgain() {
    AtomicBoolean evicted = new AtomicBoolean();
    leader.on(
        "/discovery/renew",
        r -> evicted.getAndSet(false) ? Answer.notFound() : Answer.ok(StubNode.instanceOf(r)));
    client.register(instance("billing", "h1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> leader.count("/discovery/renew") >= 1);

    evicted.set(true);

    await().atMost(Duration.ofSeconds(5)).until(() -> leader.count("/discovery/register") == 2);
    int renews = leader.count("/discovery/renew");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> leader.count("/discovery/renew") >= renews + 2);
    assertThat(leader.count("/discovery/register")).isEqualTo(2);
  }

  @Test
  void renewKeepsTryingThroughAnOutage() {
    AtomicBoolean down = new AtomicBoolean();
    leader.on(
        "/discovery/renew",
        r -> down.get() ? Answer.unavailable() : Answer.ok(StubNode.instanceOf(r)));
    client.register(instance("billing", "h1"));

    down.set(true);
    int before = leader.count("/discovery/renew");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> leader.count("/discovery/renew") >= before + 10);
    down.set(false);
    AtomicInteger ok = new AtomicInteger();
    leader.on(
        "/discovery/renew",
        r -> {
          ok.incrementAndGet();
          return Answer.ok(StubNode.instanceOf(r));
        });

    await().atMost(Duration.ofSeconds(5)).until(() -> ok.get() >= 3);
    assertThat(leader.count("/discovery/register")).as("no re-register needed").isEqualTo(1);
  }

  @Test
  void setStatusDrainsTheInstance() {
    Registration r = client.register(instance("billing", "h1"));

    r.setStatus(Status.WAITING);

    StubNode.Request set = leader.requests("/discovery/set").get(0);
    assertThat(set.param("hostname")).isEqualTo("h1");
    assertThat(set.param("status")).isEqualTo("2");
    assertThat(r.status()).isEqualTo(Status.WAITING);
    assertThat(r.instance().status()).isEqualTo(Status.WAITING);
  }

  @Test
  void setStatusOfAnEvictedInstanceRegistersItAgainWithThatStatus() {
    leader.on("/discovery/set", r -> Answer.notFound());
    Registration r = client.register(instance("billing", "h1"));

    r.setStatus(Status.WAITING);

    assertThat(leader.requests("/discovery/register")).hasSize(2);
    assertThat(leader.requests("/discovery/register").get(1).param("status")).isEqualTo("2");
  }

  @Test
  void closeCancelsAndStopsRenewing() {
    Registration r = client.register(instance("billing", "h1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> leader.count("/discovery/renew") >= 1);

    r.close();

    assertThat(leader.count("/discovery/cancel")).isEqualTo(1);
    assertThat(leader.requests("/discovery/cancel").get(0).param("hostname")).isEqualTo("h1");
    int renews = leader.count("/discovery/renew");
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(1))
        .until(() -> leader.count("/discovery/renew") == renews);
    assertThat(leader.calls().get(leader.calls().size() - 1).path()).isEqualTo("/discovery/cancel");
    assertThat(r.isClosed()).isTrue();
    assertThatThrownBy(() -> r.setStatus(Status.UP)).isInstanceOf(IllegalStateException.class);
    r.close(); // idempotent
    assertThat(leader.count("/discovery/cancel")).isEqualTo(1);
  }

  @Test
  void cancelOfAnInstanceAlreadyGoneIsFine() {
    leader.on("/discovery/cancel", r -> Answer.notFound());
    Registration r = client.register(instance("billing", "h1"));

    r.close();

    assertThat(r.isClosed()).isTrue();
  }

  @Test
  void closingTheClientCancelsItsRegistrations() {
    client.register(instance("billing", "h1"));
    client.register(instance("billing", "h2"));

    client.close();

    assertThat(leader.requests("/discovery/cancel"))
        .extracting(q -> q.param("hostname"))
        .containsExactlyInAnyOrder("h1", "h2");
    assertThatThrownBy(() -> client.register(instance("billing", "h3")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theSameInstanceCannotBeRegisteredTwiceByOneClient() {
    Registration first = client.register(instance("billing", "h1"));

    assertThatThrownBy(() -> client.register(instance("billing", "h1")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("billing/h1");
    first.close();
    client.register(instance("billing", "h1")).close();
  }

  @Test
  void failedFirstRegistrationLeavesNothingBehind() {
    leader.on("/discovery/register", r -> Answer.unavailable());
    try (RosterClient quick = fast(leader.url()).deadline(Duration.ofMillis(500)).build()) {
      assertThatThrownBy(() -> quick.register(instance("billing", "h1")))
          .isInstanceOf(RosterUnavailableException.class);

      leader.actingAsLeader();
      quick.register(instance("billing", "h1")); // not "already registered"
    }
  }
}
