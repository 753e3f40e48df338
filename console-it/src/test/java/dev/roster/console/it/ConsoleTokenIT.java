package dev.roster.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/**
 * The console on a registry whose reads and writes need tokens (docs/security.md): it shows the
 * token field when the node answers 401, and once a token is given it reads, and drains through the
 * leader with it.
 */
class ConsoleTokenIT {
  private static final String ADMIN = "console-admin-token";
  private static final String READER = "console-reader-token";
  private static final String WRITER = "console-writer-token";

  @RegisterExtension static final Browser BROWSER = new Browser();

  private static TestCluster cluster;
  private static Path dir;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("console-tokens");
    cluster =
        TestCluster.start(
            1,
            Map.of(
                "admin-token-file",
                    Files.writeString(dir.resolve("admin"), ADMIN + "\n").toString(),
                "write-token-file",
                    Files.writeString(dir.resolve("write"), WRITER + "\n").toString(),
                "read-token-file",
                    Files.writeString(dir.resolve("read"), READER + "\n").toString()));
    cluster.awaitReady();
    Http.Response r =
        Http.send(
            HttpRequest.newBuilder(URI.create(cluster.url(0) + "/discovery/register"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Bearer " + WRITER)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Api.registerForm("console.secured", "sec-1"))));
    assertThat(r.code()).as(r.body().toString()).isZero();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theConsoleAsksForATokenAndThenReadsAndDrainsWithIt() {
    BROWSER.open(cluster.url(0) + "/ui/#/cluster");

    BROWSER.until(
        "the token field, because the node answers 401",
        d -> d.findElement(By.id("token-form")).isDisplayed());
    assertThat(BROWSER.count("tr[data-member]")).as("nothing read without a token").isZero();

    BROWSER.driver().findElement(By.id("token")).sendKeys(WRITER);
    BROWSER.click("#token-form button");
    BROWSER.until("the member listed with the token", d -> BROWSER.count("tr[data-member]") == 1);

    BROWSER.open(cluster.url(0) + "/ui/#/apps/" + Api.ENV + "/console.secured");
    BROWSER.until("the instance listed", d -> BROWSER.count("tr[data-instance=\"sec-1\"]") == 1);
    BROWSER.click("tr[data-instance=\"sec-1\"] button[data-action=\"drain\"]");
    BROWSER.click("#confirm-yes");
    BROWSER.until(
        "drained with the token",
        d -> "waiting".equals(BROWSER.attribute("tr[data-instance=\"sec-1\"]", "data-status")));
    // and the registry agrees
    Http.Response fetch =
        Http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        cluster.url(0)
                            + "/discovery/fetch?status=2&env="
                            + Api.ENV
                            + "&appid=console.secured"))
                .header("Authorization", "Bearer " + READER)
                .GET());
    assertThat(fetch.code()).isZero();
    assertThat(fetch.body().toString()).contains("sec-1");
  }
}
