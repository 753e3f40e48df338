package dev.roster.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The console on a registry of 100 000 instances in 1 000 applications (one node, default timings
 * but an eviction check every 5 s: nothing renews, so self-protection is on and keeps every
 * instance for the ceiling, 1 h): the pages hold one page of rows, never the registry; paging and
 * search work on the node's answers.
 *
 * <p>999 applications have 90 instances each and {@code svc-big} has 10 090, so one instances view
 * has many pages. The browser's own clock (Navigation Timing, {@code performance.now()} when a
 * MutationObserver installed before the page's scripts first sees a row) measures how long each
 * view took; the numbers are printed and written to {@code target/console-timing.txt}. They are
 * asserted only against a hang guard ({@link #HANG}): claims about speed are made in the docs from
 * measured numbers, not by tight asserts on a shared, noisy machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleLargeRegistryIT {
  static final int APPS = 1_000;
  static final int INSTANCES = 100_000;
  static final int PER_APP = 90;
  static final String BIG = "svc-big";
  static final int BIG_SIZE = INSTANCES - (APPS - 1) * PER_APP; // 10 090
  static final int IN_FLIGHT = 64;
  static final Duration LOAD_LIMIT = Duration.ofMinutes(5);
  static final Duration HANG = Duration.ofSeconds(15);

  /** Installed before every page's scripts: when the first row of each kind exists. */
  private static final String MARKS =
      """
      (() => {
        const marks = {};
        window.__consoleItMarks = marks;
        const kinds = {app: 'tr[data-app]', instance: 'tr[data-instance]'};
        const seen = () => {
          for (const [k, css] of Object.entries(kinds)) {
            if (!(k in marks) && document.querySelector(css)) {
              marks[k] = performance.now();
              requestAnimationFrame(() => setTimeout(() => marks[k + 'Painted'] = performance.now()));
            }
          }
        };
        new MutationObserver(seen).observe(document, {childList: true, subtree: true});
      })();
      """;

  @RegisterExtension static final Browser BROWSER = new Browser();

  private static TestCluster cluster;
  private static String node;
  private static final List<String> timings = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void registerAHundredThousandInstances() throws Exception {
    // an eviction check every 5 s instead of 60 s, so the protection view has closed windows
    // however fast the registrations went; nothing renews, so each is below the threshold
    cluster = TestCluster.start(1, Map.of("evict-interval", "5s"));
    cluster.awaitReady();
    node = cluster.url(0);
    long start = System.nanoTime();
    List<String> failures = register(node);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(failures).as("failed registrations (first 10)").isEmpty();
    record(
        "registered %d instances in %d applications through POST /discovery/register: %.1f s"
            + " (%.0f/s, %d in flight, one node)",
        INSTANCES, APPS, seconds, INSTANCES / seconds, IN_FLIGHT);
    assertThat(Api.get(node + "/discovery/status").path("guarded_instances").asInt())
        .as("guarded (non-infra) instances in /discovery/status")
        .isEqualTo(INSTANCES);
    JsonNode apps = Api.apps(node, "env=" + Api.ENV + "&limit=1");
    assertThat(apps.path("total").asInt()).isEqualTo(APPS);
    assertThat(apps.path("envs").toString()).contains("\"instances\":" + INSTANCES);
    BROWSER.beforeEveryPage(MARKS);
  }

  @AfterAll
  static void stopAndWriteTheTimings() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    if (!timings.isEmpty()) {
      Path file = Browser.out().resolve("console-timing.txt");
      Files.createDirectories(file.getParent());
      Files.write(file, timings);
      System.out.println("timings written to " + file);
    }
  }

  static String appid(int a) {
    return a == APPS - 1 ? BIG : String.format(Locale.ROOT, "svc-%04d", a);
  }

  static String hostname(int a, int i) {
    return a == APPS - 1
        ? String.format(Locale.ROOT, "big-%05d", i)
        : String.format(Locale.ROOT, "%s-h%02d", appid(a), i);
  }

  /** Registers every instance, IN_FLIGHT at a time; returns the first failures. */
  private static List<String> register(String node) throws InterruptedException {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    Semaphore slots = new Semaphore(IN_FLIGHT);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger failed = new AtomicInteger();
    long deadline = System.nanoTime() + LOAD_LIMIT.toNanos();
    URI uri = URI.create(node + "/discovery/register");
    outer:
    for (int a = 0; a < APPS; a++) {
      int size = a == APPS - 1 ? BIG_SIZE : PER_APP;
      for (int i = 0; i < size; i++) {
        if (!slots.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
            || failed.get() >= 10) {
          failures.add("stopped: " + (failed.get() >= 10 ? "10 failures" : "over " + LOAD_LIMIT));
          break outer;
        }
        String host = hostname(a, i);
        HttpRequest request =
            HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(Api.registerForm(appid(a), host)))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
            .whenComplete(
                (r, e) -> {
                  slots.release();
                  String problem =
                      e != null
                          ? e.toString()
                          : r.statusCode() != 200 || !r.body().startsWith("{\"code\":0,")
                              ? r.statusCode() + " " + r.body()
                              : null;
                  if (problem != null && failed.incrementAndGet() <= 10) {
                    failures.add(host + ": " + problem);
                  }
                });
      }
    }
    // the last ones
    if (!slots.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS)) {
      failures.add("registrations still in flight after 60 s");
    }
    return new ArrayList<>(failures);
  }

  @Test
  @Order(1)
  void applicationsViewShowsOnePageOfAThousandApplicationsPagesAndSearches() {
    BROWSER.open(node + "/ui/#/apps");
    double firstRow = awaitMark("app");
    record("apps view (1 001 applications), fresh load: %s", loadTimes("app"));
    assertThat(firstRow).as("ms to the first application row").isLessThan(HANG.toMillis());

    int total = APPS + 1; // and infra.discovery
    BROWSER.until("#apps-total shows " + total, d -> BROWSER.number("#apps-total") == total);
    List<String> page1 = BROWSER.attributes("tr[data-app]", "data-app");
    assertThat(page1).as("rows of one page").isNotEmpty().hasSizeLessThanOrEqualTo(500);
    assertThat(page1.size()).isLessThan(total);
    assertThat(page1).as("sorted by env then appid").isSorted();
    String pageLabel = BROWSER.text("#apps-page");

    double next = timeUntilFirstRow("#apps-next", "tr[data-app]", "data-app", null, page1.get(0));
    List<String> page2 = BROWSER.attributes("tr[data-app]", "data-app");
    record("apps view, next page: %.0f ms to the new rows", next);
    assertThat(page2).isNotEmpty().hasSizeLessThanOrEqualTo(page1.size());
    assertThat(page2).doesNotContainAnyElementsOf(page1);
    assertThat(page2.get(0)).isGreaterThan(page1.get(page1.size() - 1));
    assertThat(BROWSER.text("#apps-page")).isNotEqualTo(pageLabel);
    BROWSER.click("#apps-prev");
    BROWSER.until(
        "page 1 again", d -> BROWSER.attributes("tr[data-app]", "data-app").equals(page1));

    List<String> matching =
        IntStream.range(40, 50).mapToObj(a -> "test/" + appid(a)).toList(); // svc-0040..svc-0049
    double search = timeUntilRows("#app-search", "svc-004", "tr[data-app]", "data-app", matching);
    record("apps view, search \"svc-004\" (10 of 1 001): %.0f ms from the first key", search);
    BROWSER.until("#apps-total shows 10", d -> BROWSER.number("#apps-total") == 10);
  }

  @Test
  @Order(2)
  void instancesViewOfTenThousandInstancesShowsOnePagePagesAndSearches() throws IOException {
    List<Double> loads = new ArrayList<>();
    for (int run = 1; run <= 3; run++) {
      BROWSER.open(node + "/ui/#/apps/test/" + BIG);
      loads.add(awaitMark("instance"));
      record(
          "instances view (%s, %d instances), fresh load %d: %s",
          BIG, BIG_SIZE, run, loadTimes("instance"));
    }
    assertThat(Collections.max(loads))
        .as("ms to the first instance row")
        .isLessThan(HANG.toMillis());
    BROWSER.until(
        "#instances-total shows " + BIG_SIZE, d -> BROWSER.number("#instances-total") == BIG_SIZE);
    assertThat(BROWSER.text("#instances-title")).contains(BIG);
    List<String> page1 = BROWSER.attributes("tr[data-instance]", "data-instance");
    assertThat(page1).as("rows of one page").isNotEmpty().hasSizeLessThanOrEqualTo(500);
    assertThat(page1).as("sorted by hostname").isSorted();
    assertThat(page1.get(0)).isEqualTo(hostname(APPS - 1, 0));
    assertThat(BROWSER.attributes("tr[data-instance]", "data-status")).containsOnly("up");
    assertThat(BROWSER.count("tr")).as("every row in the document").isLessThan(1_000);
    Path shot = BROWSER.screenshot("ConsoleLargeRegistryIT.instances-100k");

    String expectedNext = hostname(APPS - 1, page1.size());
    double next =
        timeUntilFirstRow(
            "#instances-next", "tr[data-instance]", "data-instance", expectedNext, null);
    record("instances view, next page: %.0f ms to the new rows", next);
    List<String> page2 = BROWSER.attributes("tr[data-instance]", "data-instance");
    assertThat(page2).hasSize(page1.size()).doesNotContainAnyElementsOf(page1).isSorted();
    BROWSER.click("#instances-prev");
    BROWSER.until(
        "page 1 again",
        d -> BROWSER.attributes("tr[data-instance]", "data-instance").equals(page1));

    List<String> matching =
        IntStream.range(1230, 1240).mapToObj(i -> hostname(APPS - 1, i)).toList(); // big-0123x
    double search =
        timeUntilRows(
            "#instances-search", "big-0123", "tr[data-instance]", "data-instance", matching);
    record(
        "instances view, search \"big-0123\" (10 of %d): %.0f ms from the first key",
        BIG_SIZE, search);
    BROWSER.until("#instances-total shows 10", d -> BROWSER.number("#instances-total") == 10);
    assertThat(Api.instances(node, BIG, "q=big-0123").path("total").asInt())
        .as("the node's answer to the same search")
        .isEqualTo(10);
    System.out.println("screenshot of the instances view: " + shot);
  }

  @Test
  @Order(3)
  void instancesViewOfAnOrdinaryApplication() {
    String app = appid(500);
    BROWSER.open(node + "/ui/#/apps/test/" + app);
    double first = awaitMark("instance");
    record(
        "instances view (%s, %d instances), fresh load: %s", app, PER_APP, loadTimes("instance"));
    assertThat(first).isLessThan(HANG.toMillis());
    BROWSER.until(
        "#instances-total shows " + PER_APP, d -> BROWSER.number("#instances-total") == PER_APP);
    List<String> rows = BROWSER.attributes("tr[data-instance]", "data-instance");
    assertThat(rows).isNotEmpty().hasSizeLessThanOrEqualTo(PER_APP).isSorted();
    assertThat(rows).allMatch(h -> h.startsWith(app + "-h"));
  }

  @Test
  @Order(4)
  void protectionViewShowsTheRegistryProtectedWhileNothingRenews() {
    BROWSER.open(node + "/ui/#/protection");
    // 100 000 instances renewing never: every closed window is below the threshold
    ConsoleClusterIT.awaitProtectionAsTheNodeSays(BROWSER, node, true);
  }

  /** Waits (up to HANG) until the page has a row of {@code kind}; ms from navigation start. */
  private static double awaitMark(String kind) {
    BROWSER.until(
        "a " + kind + " row",
        HANG,
        d -> BROWSER.js("return (window.__consoleItMarks || {})[arguments[0] + 'Painted'];", kind));
    return ((Number) BROWSER.js("return window.__consoleItMarks[arguments[0]];", kind))
        .doubleValue();
  }

  /** Navigation Timing of the current page and when its first row of {@code kind} showed. */
  private static String loadTimes(String kind) {
    @SuppressWarnings("unchecked")
    Map<String, Object> t =
        (Map<String, Object>)
            BROWSER.js(
                "const n = performance.getEntriesByType('navigation')[0];"
                    + " const m = window.__consoleItMarks;"
                    + " return {response: n.responseEnd, dcl: n.domContentLoadedEventEnd,"
                    + " load: n.loadEventEnd, row: m[arguments[0]],"
                    + " painted: m[arguments[0] + 'Painted']};",
                kind);
    return String.format(
        Locale.ROOT,
        "index.html %.0f ms, DOMContentLoaded %.0f ms, load %.0f ms, first row %.0f ms,"
            + " painted %.0f ms (from navigation start)",
        num(t.get("response")),
        num(t.get("dcl")),
        num(t.get("load")),
        num(t.get("row")),
        num(t.get("painted")));
  }

  /**
   * Clicks {@code button} and returns the ms (the page's clock) until the first row's {@code
   * attribute} is {@code expected} (or, with expected null, is no longer {@code before}).
   */
  private static double timeUntilFirstRow(
      String button, String rows, String attribute, String expected, String before) {
    BROWSER.js(
        """
        const [rows, attr, expected, before, button] = arguments;
        const t0 = performance.now();
        window.__consoleItChange = null;
        const done = () => {
          const f = document.querySelector(rows);
          const v = f && f.getAttribute(attr);
          return v && (expected !== null ? v === expected : v !== before);
        };
        const o = new MutationObserver(() => {
          if (window.__consoleItChange === null && done()) {
            window.__consoleItChange = performance.now() - t0;
            o.disconnect();
          }
        });
        o.observe(document.body, {childList: true, subtree: true, attributes: true});
        document.querySelector(button).click();
        """,
        rows,
        attribute,
        expected,
        before,
        button);
    Object ms =
        BROWSER.until(
            "the first row after " + button, d -> BROWSER.js("return window.__consoleItChange;"));
    return num(ms);
  }

  /**
   * Types {@code text} into {@code input} (real key events) and returns the ms (the page's clock,
   * from just before the first key) until the rows' {@code attribute}s are {@code expected}.
   */
  private static double timeUntilRows(
      String input, String text, String rows, String attribute, List<String> expected) {
    BROWSER.js(
        """
        const [rows, attr, expected] = arguments;
        const t0 = performance.now();
        window.__consoleItChange = null;
        const done = () => {
          const v = Array.from(document.querySelectorAll(rows)).map(r => r.getAttribute(attr));
          return v.length === expected.length && v.every((x, i) => x === expected[i]);
        };
        const o = new MutationObserver(() => {
          if (window.__consoleItChange === null && done()) {
            window.__consoleItChange = performance.now() - t0;
            o.disconnect();
          }
        });
        o.observe(document.body, {childList: true, subtree: true, attributes: true});
        """,
        rows,
        attribute,
        expected);
    var field = BROWSER.driver().findElement(By.cssSelector(input));
    field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    field.sendKeys(text);
    BROWSER.until(
        "rows " + expected + " after typing " + text,
        d -> BROWSER.attributes(rows, attribute).equals(expected));
    Object ms =
        BROWSER.until("the change's time", d -> BROWSER.js("return window.__consoleItChange;"));
    return num(ms);
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static void record(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    System.out.println("console-it timing: " + line);
    timings.add(line);
  }

  static {
    // make sure a failure to write the file is seen (target/ may be missing in an odd layout)
    try {
      Files.createDirectories(Browser.out());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
