package dev.roster.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.node.model.Instance;
import dev.roster.node.model.Lease;
import dev.roster.node.model.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of an instance, byte for byte: clients of the discovery protocol parse it. */
class InstanceJsonTest {
  @Test
  void anInstanceIsWrittenWithItsStatusAsTheProtocolsNumber() throws Exception {
    Instance i =
        new Instance(
            "cn",
            "sh001",
            "prod",
            "app",
            "h1",
            List.of("http://h1:80"),
            "v1",
            Status.WAITING,
            Map.of("k", "v"),
            1,
            2,
            3,
            4,
            5,
            Lease.DEFAULT,
            Map.of());

    assertThat(Api.json().writeValueAsString(i))
        .isEqualTo(
            "{\"region\":\"cn\",\"zone\":\"sh001\",\"env\":\"prod\",\"appid\":\"app\","
                + "\"hostname\":\"h1\",\"addrs\":[\"http://h1:80\"],\"version\":\"v1\",\"status\":2,"
                + "\"metadata\":{\"k\":\"v\"},\"reg_timestamp\":1,\"up_timestamp\":2,"
                + "\"renew_timestamp\":3,\"dirty_timestamp\":4,\"latest_timestamp\":5}");
  }

  /** What only the Eureka view shows: an instance's own lease and its extensions. */
  @Test
  void anInstanceWithALeaseAndExtensionsIsWrittenWithoutThem() throws Exception {
    Instance i =
        new Instance(
            "",
            "sh001",
            "prod",
            "app",
            "h1",
            List.of(),
            "",
            Status.UP,
            Map.of(),
            1,
            2,
            3,
            4,
            5,
            new Lease(5_000, 15_000),
            Map.of(
                "eureka.status", "UP",
                "eureka.overriddenStatus", "OUT_OF_SERVICE",
                "eureka.instance", "{\"app\":\"APP\"}"));

    String json = Api.json().writeValueAsString(i);

    assertThat(json)
        .isEqualTo(
            "{\"region\":\"\",\"zone\":\"sh001\",\"env\":\"prod\",\"appid\":\"app\","
                + "\"hostname\":\"h1\",\"addrs\":[],\"version\":\"\",\"status\":1,"
                + "\"metadata\":{},\"reg_timestamp\":1,\"up_timestamp\":2,"
                + "\"renew_timestamp\":3,\"dirty_timestamp\":4,\"latest_timestamp\":5}");
    assertThat(json).doesNotContain("eureka").doesNotContain("lease").doesNotContain("15000");
  }
}
