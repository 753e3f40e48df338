package dev.roster.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The contract's JSON, read by hand so a field the registry adds later never breaks a client. */
final class Wire {
  private static final Comparator<Instance> ORDER =
      Comparator.comparing((Instance i) -> i.zone() == null ? "" : i.zone())
          .thenComparing(Instance::hostname);

  private final ObjectMapper json;

  Wire(ObjectMapper json) {
    this.json = json;
  }

  /**
   * A fetch or poll answer for one app: {@code {"instances": {"<zone>": [...]}, "latest_timestamp":
   * N}}.
   */
  AppInstances appInstances(String appid, JsonNode data) {
    List<Instance> all = new ArrayList<>();
    for (Iterator<JsonNode> zones = data.path("instances").elements(); zones.hasNext(); ) {
      for (JsonNode i : zones.next()) {
        all.add(instance(i));
      }
    }
    all.sort(ORDER);
    return new AppInstances(appid, all, data.path("latest_timestamp").asLong(0));
  }

  Instance instance(JsonNode n) {
    List<String> addrs = new ArrayList<>();
    n.path("addrs").forEach(a -> addrs.add(a.asText()));
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.path("metadata").properties()) {
      metadata.put(e.getKey(), e.getValue().asText());
    }
    return new Instance(
        n.path("appid").asText(),
        n.path("hostname").asText(),
        addrs,
        text(n, "zone"),
        n.path("region").asText(""),
        text(n, "env"),
        n.path("version").asText(""),
        Status.of(n.path("status").asInt(Status.UP.code())),
        metadata,
        n.path("reg_timestamp").asLong(0),
        n.path("up_timestamp").asLong(0),
        n.path("renew_timestamp").asLong(0),
        n.path("dirty_timestamp").asLong(0),
        n.path("latest_timestamp").asLong(0));
  }

  String metadata(Map<String, String> metadata) {
    try {
      return json.writeValueAsString(metadata);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "metadata: cannot be encoded as JSON: " + e.getMessage(), e);
    }
  }

  static String millis(Duration d) {
    return Long.toString(d.toMillis());
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
