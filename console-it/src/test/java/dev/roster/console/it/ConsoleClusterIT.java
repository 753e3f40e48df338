package dev.roster.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.Select;

/**
 * The console (console-spec.md) in a real browser against a real 3-node cluster in this JVM: what
 * it shows is checked against the nodes (their API and the cluster's own view), and what it does
 * (drain, undrain) is checked through the API a client would use. The scenarios run in order on one
 * cluster; the leader is killed last.
 *
 * <p>The cluster runs {@link TestCluster#SHORT_TIMINGS} (instances expire after 2 s, eviction
 * checks every 500 ms) so an eviction shows within seconds; the test's instances are renewed every
 * 200 ms by a {@link Renewer}, as their clients would. Self-protection engages at 10 % instead of
 * 85 % of the expected renews: with four renewed instances and one silent one, a renewer delayed by
 * a loaded machine would otherwise turn protection on and the eviction would wait for the ceiling
 * (then with reason {@code past_ceiling}, a different scenario).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleClusterIT {
  private static final String ALPHA = "console.alpha";
  private static final String BETA = "console.beta";

  @RegisterExtension static final Browser BROWSER = new Browser();

  private static TestCluster cluster;
  private static Api api;
  private static Renewer renewer;

  @BeforeAll
  static void startTheCluster() {
    Map<String, String> settings = new HashMap<>(TestCluster.SHORT_TIMINGS);
    settings.put("protect-threshold", "0.1");
    cluster = TestCluster.start(3, settings);
    cluster.awaitReady();
    api = new Api(ConsoleClusterIT::runningUrls);
    renewer = new Renewer(api, Duration.ofMillis(200));
    renewer.register(ALPHA, "alpha-1");
    renewer.register(ALPHA, "alpha-2");
    renewer.register(BETA, "beta-1");
  }

  @AfterAll
  static void stopTheCluster() {
    if (renewer != null) {
      renewer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> runningUrls() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i)) {
        urls.add(cluster.url(i));
      }
    }
    return urls;
  }

  @Test
  @Order(1)
  void clusterViewShowsTheThreeMembersTheLeaderAndWhichNodeThePageIsOn() {
    int leader = cluster.awaitLeader();
    int page = (leader + 1) % 3; // a follower: "self" and "leader" are different rows

    // GET / sends the browser to the console
    Http.Response root = Http.get(cluster.url(page) + "/");
    assertThat(root.status()).as("GET /").isEqualTo(302);
    assertThat(URI.create(cluster.url(page) + "/").resolve(location(root)).getPath())
        .isEqualTo("/ui/");
    BROWSER.open(cluster.url(page) + "/");
    assertThat(URI.create(BROWSER.driver().getCurrentUrl()).getPath()).isEqualTo("/ui/");

    BROWSER.click("a[data-nav=\"cluster\"]");
    BROWSER.until("the #/cluster route", d -> d.getCurrentUrl().endsWith("#/cluster"));
    Set<String> ids =
        Set.of(cluster.raftAddress(0), cluster.raftAddress(1), cluster.raftAddress(2));
    BROWSER.until(
        "a row for each of the 3 members " + ids,
        d ->
            Set.copyOf(BROWSER.attributes("tr[data-member]", "data-member")).equals(ids)
                && BROWSER.count("tr[data-member]") == 3);
    BROWSER.until(
        "exactly one leader row, " + cluster.raftAddress(leader),
        d ->
            BROWSER
                .attributes("tr[data-member][data-role=\"leader\"]", "data-member")
                .equals(List.of(cluster.raftAddress(leader))));
    assertThat(BROWSER.attributes("tr[data-member][data-self=\"true\"]", "data-member"))
        .as("the one member marked self is the node the page came from")
        .containsExactly(cluster.raftAddress(page));
    assertThat(BROWSER.attributes("tr[data-member][data-self=\"false\"]", "data-member"))
        .hasSize(2);
    for (int i = 0; i < 3; i++) {
      String row = "tr[data-member=\"" + cluster.raftAddress(i) + "\"]";
      if (i != leader) {
        assertThat(BROWSER.attribute(row, "data-role")).as("role of %s", row).isEqualTo("follower");
      }
      BROWSER.until(
          row + " reachable and ready",
          d ->
              "true".equals(BROWSER.attribute(row, "data-reachable"))
                  && "true".equals(BROWSER.attribute(row, "data-ready")));
    }
    assertThat(BROWSER.attribute("#connection", "data-state")).isEqualTo("ok");
    assertThat(namesNode(BROWSER.text("#self-node"), page))
        .as("#self-node (%s) names node %s", BROWSER.text("#self-node"), cluster.url(page))
        .isTrue();
    // the same as the node's own answer
    JsonNode members = Api.members(cluster.url(page));
    assertThat(members.path("leader").asText()).isEqualTo(cluster.raftAddress(leader));
    assertThat(members.path("self").asText()).isEqualTo(cluster.raftAddress(page));
  }

  @Test
  @Order(2)
  void applicationsViewListsEveryApplicationFiltersByEnvAndLinksToTheInstances() {
    String node = cluster.url(0);
    BROWSER.open(node + "/ui/#/apps");
    List<String> expected = List.of("test/" + ALPHA, "test/" + BETA, "infra/infra.discovery");
    BROWSER.until(
        "rows for " + expected,
        d -> BROWSER.attributes("tr[data-app]", "data-app").containsAll(expected));
    int total = Api.apps(node, "").path("total").asInt();
    assertThat(total).isEqualTo(3);
    BROWSER.until("#apps-total shows " + total, d -> BROWSER.number("#apps-total") == total);

    // one env: the infra application goes, the test ones stay
    new Select(BROWSER.driver().findElement(org.openqa.selenium.By.id("env-select")))
        .selectByValue(Api.ENV);
    BROWSER.until(
        "only env test's rows",
        d ->
            BROWSER
                .attributes("tr[data-app]", "data-app")
                .equals(List.of("test/" + ALPHA, "test/" + BETA)));
    int testTotal = Api.apps(node, "env=" + Api.ENV).path("total").asInt();
    assertThat(testTotal).isEqualTo(2);
    BROWSER.until(
        "#apps-total shows " + testTotal, d -> BROWSER.number("#apps-total") == testTotal);

    // a row leads to its instances
    clickRowLink("tr[data-app=\"test/" + ALPHA + "\"]");
    BROWSER.until(
        "the #/apps/test/" + ALPHA + " route",
        d -> d.getCurrentUrl().endsWith("#/apps/test/" + ALPHA));
    BROWSER.until(
        "alpha's two instances",
        d ->
            BROWSER
                .attributes("tr[data-instance]", "data-instance")
                .equals(List.of("alpha-1", "alpha-2")));
    assertThat(BROWSER.text("#instances-title")).contains(ALPHA);
    assertThat(BROWSER.attributes("tr[data-instance]", "data-status")).containsOnly("up");
    BROWSER.until("#instances-total shows 2", d -> BROWSER.number("#instances-total") == 2);
  }

  @Test
  @Order(3)
  void anInstanceRegisteredThroughTheApiAppearsWithoutAReload() {
    String node = cluster.url(0);
    BROWSER.open(node + "/ui/#/apps");
    BROWSER.until(
        "the application rows",
        d -> BROWSER.attributes("tr[data-app]", "data-app").contains("test/" + ALPHA));
    // survives only as long as this document: a reload or a navigation would drop it
    BROWSER.js("window.__consoleItDocument = 'the same';");

    renewer.register("console.gamma", "gamma-1");
    BROWSER.until(
        "a row for the new application",
        d -> BROWSER.attributes("tr[data-app]", "data-app").contains("test/console.gamma"));

    BROWSER.js("location.hash = arguments[0];", "#/apps/test/" + ALPHA);
    BROWSER.until(
        "alpha's instances",
        d -> BROWSER.attributes("tr[data-instance]", "data-instance").contains("alpha-1"));
    renewer.register(ALPHA, "alpha-3");
    BROWSER.until(
        "a row for alpha-3",
        d -> "up".equals(BROWSER.attribute("tr[data-instance=\"alpha-3\"]", "data-status")));
    BROWSER.until("#instances-total shows 3", d -> BROWSER.number("#instances-total") == 3);
    assertThat(BROWSER.js("return window.__consoleItDocument;"))
        .as("the page was not reloaded")
        .isEqualTo("the same");
  }

  @Test
  @Order(4)
  void drainFromAFollowersPageHidesTheInstanceFromClientsAndUndrainBringsItBack() {
    int leader = cluster.awaitLeader();
    int page = (leader + 1) % 3; // the write goes to this follower, which redirects it
    String row = "tr[data-instance=\"alpha-1\"]";
    BROWSER.open(cluster.url(page) + "/ui/#/apps/test/" + ALPHA);
    BROWSER.until("alpha-1 up", d -> "up".equals(BROWSER.attribute(row, "data-status")));

    // "no" in the dialog changes nothing
    BROWSER.click(row + " button[data-action=\"drain\"]");
    BROWSER.until("the confirm dialog", d -> dialogOpen());
    BROWSER.click("#confirm-no");
    BROWSER.until("the dialog closed", d -> !dialogOpen());
    assertThat(statusOnEveryNode("alpha-1")).as("status after \"no\"").containsOnly(1);
    assertThat(BROWSER.attribute(row, "data-status")).isEqualTo("up");

    // drain: WAITING, and a client's default fetch (UP only) leaves it out, on every node
    BROWSER.click(row + " button[data-action=\"drain\"]");
    BROWSER.until("the confirm dialog", d -> dialogOpen());
    BROWSER.click("#confirm-yes");
    BROWSER.until("the dialog closed", d -> !dialogOpen());
    BROWSER.until("alpha-1 waiting", d -> "waiting".equals(BROWSER.attribute(row, "data-status")));
    await("alpha-1 drained on every node")
        .atMost(Browser.WAIT)
        .until(() -> statusOnEveryNode("alpha-1").equals(List.of(2, 2, 2)));
    for (String node : runningUrls()) {
      assertThat(Api.fetchedHostnames(node, ALPHA))
          .as("default fetch on %s", node)
          .doesNotContain("alpha-1")
          .contains("alpha-2");
    }
    assertThat(BROWSER.count(row + " button[data-action=\"undrain\"]")).isEqualTo(1);

    // undrain: UP again, fetched again
    BROWSER.click(row + " button[data-action=\"undrain\"]");
    BROWSER.until("the confirm dialog", d -> dialogOpen());
    BROWSER.click("#confirm-yes");
    BROWSER.until("alpha-1 up again", d -> "up".equals(BROWSER.attribute(row, "data-status")));
    await("alpha-1 up on every node")
        .atMost(Browser.WAIT)
        .until(() -> statusOnEveryNode("alpha-1").equals(List.of(1, 1, 1)));
    for (String node : runningUrls()) {
      assertThat(Api.fetchedHostnames(node, ALPHA))
          .as("default fetch on %s", node)
          .contains("alpha-1", "alpha-2");
    }
  }

  @Test
  @Order(5)
  void anEvictionShowsInTheEvictionLogWithItsReason() {
    String node = cluster.url(cluster.awaitLeader());
    BROWSER.open(node + "/ui/#/evictions");
    BROWSER.until("the evictions view", d -> d.getCurrentUrl().endsWith("#/evictions"));

    // registered, never renewed: expired after 2 s, evicted by the next check
    api.register("console.silent", "silent-1");
    String row = "tr[data-eviction][data-hostname=\"silent-1\"]";
    BROWSER.until(
        "an eviction row for silent-1", Duration.ofSeconds(30), d -> BROWSER.count(row) > 0);
    assertThat(BROWSER.attribute(row, "data-reason")).isEqualTo("expired");

    // the row is the node's record of it
    JsonNode record = null;
    for (JsonNode e : Api.evictions(node).path("evictions")) {
      if (e.path("hostname").asText().equals("silent-1")) {
        record = e;
      }
    }
    assertThat(record).as("silent-1 in /discovery/evictions").isNotNull();
    assertThat(record.path("reason").asText()).isEqualTo("expired");
    assertThat(record.path("appid").asText()).isEqualTo("console.silent");
    assertThat(BROWSER.attribute(row, "data-eviction")).isEqualTo(record.path("seq").asText());
    assertThat(Api.fetchedHostnames(node, "console.silent")).isEmpty();

    // the recent changes show what a poller saw: silent-1's latest change, as the node lists it
    JsonNode change = null;
    for (JsonNode c :
        Api.get(node + "/discovery/changes?env=" + Api.ENV + "&limit=1000").path("changes")) {
      if (c.path("hostname").asText().equals("silent-1")) {
        change = c;
      }
    }
    assertThat(change).as("silent-1 in /discovery/changes").isNotNull();
    String action = change.path("action").asText();
    assertThat(action).isEqualTo("deleted");
    BROWSER.until(
        "a recent change row: silent-1 " + action,
        d ->
            (Boolean)
                BROWSER.js(
                    "return Array.from(document.querySelectorAll('tr[data-change]'))"
                        + ".some(r => r.getAttribute('data-action') === arguments[0]"
                        + " && r.textContent.includes('silent-1'));",
                    action));
  }

  @Test
  @Order(6)
  void protectionViewShowsTheNodesStateAndItsWindows() {
    String node = cluster.url(0);
    BROWSER.open(node + "/ui/#/protection");
    awaitProtectionAsTheNodeSays(BROWSER, node, false);
  }

  @Test
  @Order(7)
  void aLeaderKillIsShownAndThePageOfTheKilledNodeKeepsShowingAnotherMember() {
    int leader = cluster.awaitLeader();
    int follower = (leader + 1) % 3;
    String onLeader = BROWSER.driver().getWindowHandle();
    BROWSER.open(cluster.url(leader) + "/ui/#/cluster");
    awaitLeaderRow(leader);
    String onFollower = BROWSER.driver().switchTo().newWindow(WindowType.TAB).getWindowHandle();
    BROWSER.open(cluster.url(follower) + "/ui/#/cluster");
    awaitLeaderRow(leader);

    cluster.killNode(leader);
    int newLeader = cluster.awaitLeader();
    assertThat(newLeader).isNotEqualTo(leader);
    String killed = "tr[data-member=\"" + cluster.raftAddress(leader) + "\"]";

    // a survivor's page: the new leader, the old one unreachable, its own connection fine
    awaitLeaderRow(newLeader);
    BROWSER.until(
        "the killed member unreachable",
        d -> "false".equals(BROWSER.attribute(killed, "data-reachable")));
    assertThat(BROWSER.attribute("#connection", "data-state")).isEqualTo("ok");
    BROWSER.screenshot("ConsoleClusterIT.afterLeaderKill-followerPage");

    // the killed node's page: says its node does not answer, and shows another member's data
    BROWSER.driver().switchTo().window(onLeader);
    BROWSER.until(
        "#connection down", d -> "down".equals(BROWSER.attribute("#connection", "data-state")));
    String connection = BROWSER.text("#connection");
    assertThat(namesNode(connection, leader))
        .as(
            "#connection (%s) names the node that does not answer, %s",
            connection, cluster.url(leader))
        .isTrue();
    awaitLeaderRow(newLeader);
    BROWSER.until(
        "#self-node names a surviving node",
        d ->
            IntStream.range(0, 3)
                .filter(i -> i != leader)
                .anyMatch(i -> namesNode(BROWSER.text("#self-node"), i)));
    // and the other views come from there too
    BROWSER.js("location.hash = '#/apps';");
    BROWSER.until(
        "application rows from another member",
        d -> BROWSER.attributes("tr[data-app]", "data-app").contains("test/" + ALPHA));
    BROWSER.js("location.hash = '#/cluster';");
    awaitLeaderRow(newLeader);
    BROWSER.screenshot("ConsoleClusterIT.afterLeaderKill-killedNodesPage");
    BROWSER.driver().switchTo().window(onFollower).close();
    BROWSER.driver().switchTo().window(onLeader);
  }

  /**
   * Waits until {@code #protection-state} shows what {@code /discovery/protection} says, which must
   * be {@code protecting}, and the chart draws the node's windows.
   */
  static void awaitProtectionAsTheNodeSays(Browser browser, String node, boolean protecting) {
    JsonNode p = Api.get(node + "/discovery/protection");
    assertThat(p.path("protecting").asBoolean())
        .as("the node's protecting, %s", p)
        .isEqualTo(protecting);
    browser.until(
        "#protection-state data-protecting=" + protecting,
        d ->
            String.valueOf(protecting)
                .equals(browser.attribute("#protection-state", "data-protecting")));
    assertThat(p.path("windows").size()).as("closed windows").isPositive();
    browser.until(
        "the chart's marks",
        d ->
            browser.count(
                    "svg#protection-chart rect, svg#protection-chart path,"
                        + " svg#protection-chart polyline")
                > 0);
  }

  private void awaitLeaderRow(int leader) {
    BROWSER.until(
        "one leader row, " + cluster.raftAddress(leader),
        d ->
            BROWSER
                .attributes("tr[data-member][data-role=\"leader\"]", "data-member")
                .equals(List.of(cluster.raftAddress(leader))));
  }

  private static boolean dialogOpen() {
    return Boolean.TRUE.equals(
        BROWSER.js("const d = document.querySelector('dialog#confirm'); return !!(d && d.open);"));
  }

  private static void clickRowLink(String row) {
    if (BROWSER.count(row + " a") > 0) {
      BROWSER.click(row + " a");
    } else {
      BROWSER.click(row);
    }
  }

  /** The status (1 up, 2 waiting) of an alpha instance as each running node has applied it. */
  private static List<Integer> statusOnEveryNode(String hostname) {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i)) {
        statuses.add(
            cluster
                .instance(i, Api.ENV, ALPHA, hostname)
                .map(inst -> inst.status().code())
                .orElse(0));
      }
    }
    return statuses;
  }

  /** True if {@code text} names node i by its HTTP host:port or its Raft id. */
  private static boolean namesNode(String text, int i) {
    if (text == null) {
      return false;
    }
    String http = URI.create(cluster.url(i)).getAuthority();
    return text.contains(http) || text.contains(cluster.raftAddress(i));
  }

  private static String location(Http.Response r) {
    return r.headers().firstValue("Location").orElse("(no Location)");
  }
}
