package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.TestCluster;
import org.junit.jupiter.api.Test;

/** Fetch answers are encoded once per change, but a cached answer is never stale. */
class FetchCacheIT {
  @Test
  void aFetchAfterARenewShowsTheNewRenewTimestamp() {
    try (TestCluster c = TestCluster.start(1)) {
      String url = c.url(c.awaitReady());
      assertThat(
              Http.postForm(
                      url + "/discovery/register",
                      "zone=z&env=fc&appid=a&hostname=h1&addrs=http://10.5.0.1:80")
                  .code())
          .isZero();
      JsonNode first = Http.get(url + "/discovery/fetch?env=fc&appid=a").data();
      JsonNode again = Http.get(url + "/discovery/fetch?env=fc&appid=a").data();
      assertThat(again).isEqualTo(first);

      long renewed =
          Http.postForm(url + "/discovery/renew", "env=fc&appid=a&hostname=h1")
              .data()
              .path("renew_timestamp")
              .asLong();
      JsonNode after = Http.get(url + "/discovery/fetch?env=fc&appid=a").data();
      assertThat(after.path("instances").path("z").get(0).path("renew_timestamp").asLong())
          .isEqualTo(renewed);
      assertThat(after.path("latest_timestamp")).isEqualTo(first.path("latest_timestamp"));

      assertThat(
              Http.postForm(url + "/discovery/set", "env=fc&appid=a&hostname=h1&status=2").code())
          .isZero();
      assertThat(Http.get(url + "/discovery/fetch?env=fc&appid=a").data().path("instances").size())
          .isZero();
      assertThat(
              Http.get(url + "/discovery/fetch?env=fc&appid=a&status=2")
                  .data()
                  .path("instances")
                  .path("z")
                  .get(0)
                  .path("status")
                  .asInt())
          .isEqualTo(2);
      // different filters are different entries
      assertThat(
              Http.get(url + "/discovery/fetch?env=fc&appid=a&status=3&zone=other")
                  .data()
                  .path("instances")
                  .size())
          .isZero();
    }
  }
}
