package dev.roster.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The registry calls cluster tests make, over real HTTP, as a client would send them. */
public final class Calls {
  public static final String ENV = "test";
  public static final String ZONE = "z1";

  private Calls() {}

  public static Http.Response register(String baseUrl, String appid, String hostname) {
    return Http.postForm(
        baseUrl + "/discovery/register",
        "zone="
            + ZONE
            + "&env="
            + ENV
            + "&appid="
            + enc(appid)
            + "&hostname="
            + enc(hostname)
            + "&addrs="
            + enc("http://" + hostname + ":8080")
            + "&version=v1"
            + "&metadata="
            + enc("{\"weight\":\"10\"}"));
  }

  public static Http.Response renew(String baseUrl, String appid, String hostname) {
    return Http.postForm(baseUrl + "/discovery/renew", identity(appid, hostname));
  }

  public static Http.Response cancel(String baseUrl, String appid, String hostname) {
    return Http.postForm(baseUrl + "/discovery/cancel", identity(appid, hostname));
  }

  public static Http.Response setStatus(String baseUrl, String appid, String hostname, int status) {
    return Http.postForm(
        baseUrl + "/discovery/set", identity(appid, hostname) + "&status=" + status);
  }

  /** Fetches every instance (up and waiting) of {@code appid}. */
  public static Http.Response fetch(String baseUrl, String appid, boolean consistent) {
    return Http.get(
        baseUrl
            + "/discovery/fetch?env="
            + ENV
            + "&appid="
            + enc(appid)
            + "&status=3"
            + (consistent ? "&consistent=true" : ""));
  }

  /** A write that must succeed: asserts code 0 and returns the response. */
  public static Http.Response ok(Http.Response r) {
    assertThat(r.code()).as("code of %s", r.body()).isEqualTo(0);
    assertThat(r.status()).isEqualTo(200);
    return r;
  }

  /** True when {@code fetch} returned {@code hostname} among its instances. */
  public static boolean lists(Http.Response fetch, String hostname) {
    if (fetch.code() != 0) {
      return false;
    }
    for (var zone : fetch.data().path("instances")) {
      for (var instance : zone) {
        if (instance.path("hostname").asText().equals(hostname)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String identity(String appid, String hostname) {
    return "zone=" + ZONE + "&env=" + ENV + "&appid=" + enc(appid) + "&hostname=" + enc(hostname);
  }

  public static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
