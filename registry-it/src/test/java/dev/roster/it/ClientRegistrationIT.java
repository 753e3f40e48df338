package dev.roster.it;

import static dev.roster.it.Clients.ENV;
import static dev.roster.it.Clients.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roster.client.AppInstances;
import dev.roster.client.Instance;
import dev.roster.client.Query;
import dev.roster.client.Registration;
import dev.roster.client.RosterClient;
import dev.roster.client.Status;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Register, renew, change status and cancel against a real 3-node cluster. */
class ClientRegistrationIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration READY = Duration.ofSeconds(30);
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, TestCluster.SHORT_TIMINGS);
    cluster.awaitReady(READY);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void registerRenewAndCancelThroughEveryNode() {
    for (int i = 0; i < cluster.size(); i++) {
      String host = "via-node-" + i;
      try (RosterClient client = Clients.builder(List.of(cluster.url(i))).build()) {
        Registration r = client.register(instance("billing", host));
        assertThat(r.instance().regTimestamp()).isPositive();
        await().atMost(WAIT).until(() -> cluster.everyRunningNodeHas(ENV, "billing", host));

        long firstRenew = cluster.instance(0, ENV, "billing", host).orElseThrow().renewTimestamp();
        await("renewed on every node")
            .atMost(WAIT)
            .until(
                () -> {
                  for (int n = 0; n < cluster.size(); n++) {
                    if (cluster
                            .instance(n, ENV, "billing", host)
                            .map(x -> x.renewTimestamp())
                            .orElse(0L)
                        <= firstRenew) {
                      return false;
                    }
                  }
                  return true;
                });

        r.close();
        assertThat(r.isClosed()).isTrue();
        await().atMost(WAIT).until(() -> cluster.noRunningNodeHas(ENV, "billing", host));
      }
    }
  }

  @Test
  void drainingAndFetchingWithAStatusFilter() {
    try (RosterClient client = Clients.builder(cluster.urls()).build();
        Registration a = client.register(instance("orders", "o1"));
        Registration b = client.register(instance("orders", "o2"))) {
      // a plain read may come from a follower a few milliseconds behind; a consistent one may not
      assertThat(hostnames(client.fetch(Query.app("orders").consistent())))
          .containsExactly("o1", "o2");

      b.setStatus(Status.WAITING);

      assertThat(hostnames(client.fetch(Query.app("orders").consistent()))).containsExactly("o1");
      AppInstances both =
          client.fetch(
              Query.app("orders").status(Status.UP, Status.WAITING).zone("z1").consistent());
      assertThat(both.instances())
          .extracting(Instance::hostname, Instance::status)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("o1", Status.UP),
              org.assertj.core.groups.Tuple.tuple("o2", Status.WAITING));
      assertThat(both.instances().get(0).addrs()).containsExactly("http://10.9.0.1:8080");
      assertThat(both.instances().get(0).env()).isEqualTo(ENV);
      assertThat(a.instance().status()).isEqualTo(Status.UP);
      assertThat(client.fetch(Query.app("orders").zone("elsewhere")).instances()).isEmpty();
    }
  }

  @Test
  void instanceRemovedBehindTheClientsBackIsRegisteredAgain() {
    try (RosterClient client = Clients.builder(cluster.urls()).build();
        Registration r = client.register(instance("payments", "p1"))) {
      long firstReg = r.instance().regTimestamp();

      // an operator (or an eviction) removes it: the next renew answers -404
      int leader = cluster.awaitLeader(READY);
      Http.Response cancelled =
          Http.postForm(
              cluster.url(leader) + "/discovery/cancel",
              "env=" + ENV + "&appid=payments&hostname=p1");
      assertThat(cancelled.code()).as(cancelled.body().toString()).isZero();

      await("registered again")
          .atMost(WAIT)
          .until(
              () ->
                  cluster
                      .instance(leader, ENV, "payments", "p1")
                      .map(i -> i.regTimestamp() > firstReg)
                      .orElse(false));
      assertThat(r.isClosed()).isFalse();
      await().atMost(WAIT).until(() -> cluster.everyRunningNodeHas(ENV, "payments", "p1"));
    }
  }

  private static List<String> hostnames(AppInstances a) {
    return a.instances().stream().map(Instance::hostname).toList();
  }
}
