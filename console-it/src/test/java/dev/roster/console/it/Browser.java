package dev.roster.console.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through the installed chromedriver, as a JUnit extension: started before
 * the class's {@code @BeforeAll} (so a machine without a browser skips before any cluster starts),
 * a screenshot after every test ({@code target/screenshots/<Class>.<test>.png}, failed or not), the
 * browser's console printed after a failed test, quit after the class.
 *
 * <p>Chromium is {@code $ROSTER_CHROMIUM} or {@code /usr/bin/chromium}, chromedriver {@code
 * $ROSTER_CHROMEDRIVER} or {@code /usr/bin/chromedriver} (Debian's {@code chromium} and {@code
 * chromium-driver}). Both are given to Selenium explicitly: Selenium Manager never runs, so nothing
 * is downloaded. Where they are missing or do not start, the class is skipped, with the reason;
 * with {@code ROSTER_BROWSER=required} or {@code CI=true} (as in .ci/run) that is a failure
 * instead, as ComposeClusterIT does with Docker.
 */
final class Browser implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  /** How long a test waits for the page to show something (the console refreshes every 1 s). */
  static final Duration WAIT = Duration.ofSeconds(10);

  static final int WIDTH = 1400;
  static final int HEIGHT = 900;

  private static final Path OUT =
      Path.of(System.getProperty("console.it.out", "target")).toAbsolutePath();

  private ChromeDriverService service;
  private ChromeDriver driver;

  static boolean required() {
    return "required".equals(System.getenv("ROSTER_BROWSER")) || "true".equals(System.getenv("CI"));
  }

  static Path chromium() {
    return Path.of(envOr("ROSTER_CHROMIUM", "/usr/bin/chromium"));
  }

  static Path chromedriver() {
    return Path.of(envOr("ROSTER_CHROMEDRIVER", "/usr/bin/chromedriver"));
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    String missing = null;
    for (Path p : List.of(chromium(), chromedriver())) {
      if (!Files.isExecutable(p)) {
        missing = p + " is not an executable file";
      }
    }
    if (missing == null) {
      try {
        start();
        return;
      } catch (WebDriverException e) {
        quit();
        missing = "the browser does not start: " + e.getMessage().lines().findFirst().orElse("");
        if (required()) {
          throw new AssertionError(unavailable(missing), e);
        }
      }
    }
    if (required()) {
      fail(unavailable(missing));
    }
    String reason =
        context.getDisplayName()
            + " skipped: "
            + missing
            + " (set ROSTER_CHROMIUM and ROSTER_CHROMEDRIVER, or install Debian's chromium and"
            + " chromium-driver); set ROSTER_BROWSER=required to make this a failure";
    System.err.println(reason); // failsafe's summary shows an aborted class as 0 tests, not why
    Assumptions.abort(reason);
  }

  private static String unavailable(String why) {
    return "a browser is required here (ROSTER_BROWSER=required or CI=true) but not usable: " + why;
  }

  private void start() {
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver().toFile())
            .usingAnyFreePort()
            .withTimeout(Duration.ofSeconds(30))
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium().toFile());
    options.addArguments(
        "--headless=new",
        "--disable-dev-shm-usage",
        "--window-size=" + WIDTH + "," + HEIGHT,
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-gpu",
        // a tab in the background keeps its 1 s refresh (the failover test has two)
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows");
    if ("root".equals(System.getProperty("user.name"))) {
      options.addArguments("--no-sandbox"); // Chromium refuses to run as root with its sandbox
    }
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = new ChromeDriver(service, options);
    // --window-size is the window's; make the page's viewport (and so the screenshots) WIDTHxHEIGHT
    @SuppressWarnings("unchecked")
    List<Number> frame =
        (List<Number>)
            driver.executeScript(
                "return [window.outerWidth - window.innerWidth,"
                    + " window.outerHeight - window.innerHeight];");
    driver
        .manage()
        .window()
        .setSize(new Dimension(WIDTH + frame.get(0).intValue(), HEIGHT + frame.get(1).intValue()));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (driver == null) {
      return;
    }
    String name = context.getRequiredTestClass().getSimpleName() + "." + context.getDisplayName();
    name = name.replaceAll("[^A-Za-z0-9._-]", "");
    try {
      screenshot(name);
    } catch (RuntimeException e) {
      System.err.println("no screenshot for " + name + ": " + e);
    }
    List<String> log = consoleLog();
    if (context.getExecutionException().isPresent() && !log.isEmpty()) {
      System.err.println(
          "=== browser console during " + name + ":\n" + String.join("\n", log) + "\n===");
    }
    // a script error the console did not handle is a bug even when the page looked right
    List<String> uncaught = log.stream().filter(l -> l.contains("Uncaught")).toList();
    if (context.getExecutionException().isEmpty() && !uncaught.isEmpty()) {
      throw new AssertionError(
          "the console threw during " + name + ":\n" + String.join("\n", uncaught));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    quit();
  }

  private void quit() {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      driver = null;
      if (service != null) {
        service.stop();
        service = null;
      }
    }
  }

  WebDriver driver() {
    return driver;
  }

  /**
   * Loads {@code url} as a new document in the current tab and waits for its load event. It goes
   * through about:blank first: from a console page, a URL that differs only in its hash would be a
   * same-document navigation, not a load.
   */
  void open(String url) {
    driver.get("about:blank");
    driver.get(url);
  }

  /**
   * Runs {@code source} in every document the browser loads from now on, before the page's own
   * scripts (CDP through chromedriver, no DevTools bindings needed).
   */
  void beforeEveryPage(String source) {
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", source));
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  @SuppressWarnings("unchecked")
  List<String> attributes(String css, String attribute) {
    Object r =
        js(
            "return Array.from(document.querySelectorAll(arguments[0]))"
                + ".map(e => e.getAttribute(arguments[1]));",
            css,
            attribute);
    return r == null ? List.of() : new ArrayList<>((List<String>) r);
  }

  /** The attribute of the first element matching {@code css}, or null. */
  String attribute(String css, String attribute) {
    Object r =
        js(
            "const e = document.querySelector(arguments[0]);"
                + " return e ? e.getAttribute(arguments[1]) : null;",
            css,
            attribute);
    return (String) r;
  }

  String text(String css) {
    Object r =
        js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css);
    return r == null ? null : ((String) r).strip();
  }

  /** The number an element shows ("1,000" or "1 000" read as 1000), or -1. */
  long number(String css) {
    String t = text(css);
    if (t == null) {
      return -1;
    }
    Matcher m = Pattern.compile("\\d[\\d,\u00a0\u202f ]*").matcher(t);
    return m.find() ? Long.parseLong(m.group().replaceAll("[^\\d]", "")) : -1;
  }

  long count(String css) {
    return ((Number) js("return document.querySelectorAll(arguments[0]).length;", css)).longValue();
  }

  /**
   * Waits up to {@link #WAIT} until {@code condition} returns something other than null or false,
   * and returns it. {@code what} is the timeout message.
   */
  <T> T until(String what, Function<WebDriver, T> condition) {
    return until(what, WAIT, condition);
  }

  <T> T until(String what, Duration timeout, Function<WebDriver, T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    try {
      return wait.until(condition);
    } catch (TimeoutException e) {
      // Selenium's message is mostly the session's capabilities: say what the page showed instead
      throw new AssertionError(
          "waited "
              + timeout.toMillis()
              + " ms for "
              + what
              + "; the page: "
              + driver.getCurrentUrl()
              + ", #connection "
              + attribute("#connection", "data-state")
              + " \""
              + text("#connection")
              + "\", "
              + count("tr")
              + " table rows",
          e.getCause() == null ? null : e.getCause());
    }
  }

  /**
   * Clicks the element matching {@code css}, finding it again if the console re-rendered it between
   * finding and clicking (it refreshes every second).
   */
  void click(String css) {
    until(
        "a clickable " + css,
        d -> {
          var e = d.findElement(By.cssSelector(css));
          if (!e.isDisplayed() || !e.isEnabled()) {
            return false;
          }
          e.click();
          return true;
        });
  }

  /** Saves what the window shows to {@code target/screenshots/<name>.png}. */
  Path screenshot(String name) {
    Path dir = OUT.resolve("screenshots");
    Path file = dir.resolve(name + ".png");
    try {
      Files.createDirectories(dir);
      Files.copy(
          driver.getScreenshotAs(OutputType.FILE).toPath(),
          file,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The browser console's messages since the last call. */
  List<String> consoleLog() {
    List<String> lines = new ArrayList<>();
    try {
      for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
        lines.add(e.getLevel() + " " + e.getMessage());
      }
    } catch (WebDriverException e) {
      lines.add("(no browser log: " + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    return lines;
  }

  static Path out() {
    return OUT;
  }
}
