package dev.roster.client;

import java.time.Duration;

/** Client settings scaled down so unit tests run in milliseconds. */
final class Clients {
  private Clients() {}

  static RosterClient.Builder fast(String... nodes) {
    return RosterClient.newBuilder()
        .nodes(nodes)
        .env("test")
        .zone("z1")
        .connectTimeout(Duration.ofMillis(500))
        .requestTimeout(Duration.ofMillis(500))
        .deadline(Duration.ofSeconds(2))
        .backoffMin(Duration.ofMillis(20))
        .backoffMax(Duration.ofMillis(200))
        .renewInterval(Duration.ofSeconds(30))
        .pollHold(Duration.ofSeconds(1));
  }

  static Instance instance(String appid, String hostname) {
    return Instance.builder(appid, hostname).addrs("http://10.0.0.7:8080").build();
  }
}
