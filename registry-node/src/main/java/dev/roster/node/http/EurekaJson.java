package dev.roster.node.http;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import dev.roster.node.model.Status;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Eureka's JSON, as the Spring Cloud clients send and parse it: an {@code InstanceInfo} read into a
 * Roster instance, and Roster instances written back as Eureka shows them. Wrapped roots ({@code
 * {"instance":{...}}}), ports as {@code {"$":8080,"@enabled":"true"}}, timestamps as strings.
 *
 * <p>What Roster's model holds natively (instance id as hostname, lower-cased app name as appid,
 * zone from {@code metadata.zone}, addresses, metadata, lease) is taken out; the rest of the
 * InstanceInfo is kept verbatim as one JSON text ({@link EurekaFields#INSTANCE}) so it round-trips.
 */
final class EurekaJson {
  /** Eureka's statuses; the hashcode orders them by name, as a TreeMap does. */
  static final Set<String> STATUSES = Set.of("UP", "DOWN", "STARTING", "OUT_OF_SERVICE", "UNKNOWN");

  static final String DATA_CENTER_CLASS = "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo";

  /** Fields the server computes when it answers; not kept from the client's body. */
  private static final Set<String> COMPUTED =
      Set.of(
          "instanceId",
          "app",
          "status",
          "overriddenStatus",
          "overriddenstatus",
          "leaseInfo",
          "metadata",
          "actionType",
          "lastUpdatedTimestamp",
          "lastDirtyTimestamp");

  private static final int MAX_INSTANCE_JSON = 64 * 1024;
  private static final int MAX_VALUE_LENGTH = 4096;
  private static final long MAX_LEASE_SECONDS = 86_400;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper json = new ObjectMapper();
  private final long defaultRenewMs;
  private final long defaultExpireMs;

  /**
   * @param defaultRenewMs the renew interval shown for an instance without a lease of its own
   * @param defaultExpireMs the lease duration shown for such an instance
   */
  EurekaJson(long defaultRenewMs, long defaultExpireMs) {
    this.defaultRenewMs = defaultRenewMs;
    this.defaultExpireMs = defaultExpireMs;
  }

  // ---- reading a register body ----

  /**
   * The instance a register body describes, refused with Eureka's 400s (a missing instanceId,
   * hostName, ipAddr, app or dataCenterInfo, or an app name that differs from the path's).
   */
  InstanceSpec readRegister(byte[] body, String env, String pathApp, String defaultZone) {
    JsonNode root =
        Params.readOneJsonValue(
            json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION),
            new String(body, StandardCharsets.UTF_8),
            problem -> badRequest("body " + problem));
    if (root == null || !root.isObject()) {
      throw badRequest("body must be a JSON object {\"instance\":{...}}");
    }
    JsonNode info = root.has("instance") ? root.get("instance") : root;
    if (!info.isObject()) {
      throw badRequest("'instance' must be a JSON object");
    }
    String id = text(info, "instanceId");
    if (id == null) {
      throw badRequest("Missing instanceId");
    }
    String hostName = text(info, "hostName");
    if (hostName == null) {
      throw badRequest("Missing hostname");
    }
    if (text(info, "ipAddr") == null) {
      throw badRequest("Missing ip address");
    }
    String app = text(info, "app");
    if (app == null) {
      throw badRequest("Missing appName");
    }
    if (!app.equalsIgnoreCase(pathApp)) {
      throw badRequest(
          "Mismatched appName, expecting " + upper(pathApp) + " but was " + upper(app));
    }
    JsonNode dataCenter = info.get("dataCenterInfo");
    if (dataCenter == null || !dataCenter.isObject()) {
      throw badRequest("Missing dataCenterInfo");
    }
    if (text(dataCenter, "name") == null) {
      throw badRequest("Missing dataCenterInfo Name");
    }
    Map<String, String> metadata = metadata(info.get("metadata"));
    String zone = metadata.getOrDefault("zone", defaultZone);
    String appid = appid(pathApp);
    id = Params.checkIdentifier("instanceId", id);
    Params.checkIdentifier("zone", zone);
    Params.checkIdentifier("app", appid);

    ObjectNode kept = NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = info.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!COMPUTED.contains(f.getKey())) {
        kept.set(f.getKey(), f.getValue());
      }
    }
    String keptText = kept.toString();
    if (keptText.length() > MAX_INSTANCE_JSON) {
      throw badRequest("instance is larger than " + MAX_INSTANCE_JSON + " bytes of JSON");
    }
    Map<String, String> extensions = new LinkedHashMap<>();
    extensions.put(EurekaFields.STATUS, status(text(info, "status"), "UP"));
    extensions.put(EurekaFields.LAST_DIRTY_TIMESTAMP, Long.toString(lastDirty(info)));
    extensions.put(EurekaFields.INSTANCE, keptText);
    InstanceSpec spec =
        new InstanceSpec(
            "",
            zone,
            env,
            appid,
            id,
            addrs(info, hostName),
            "",
            Status.UP,
            metadata,
            lease(info.get("leaseInfo")),
            extensions);
    return EurekaFields.keepingOverride(spec, null);
  }

  /** Eureka's status names: upper-cased; a name it does not know is UNKNOWN, as its enum reads. */
  static String status(String value, String ifAbsent) {
    if (value == null || value.isEmpty()) {
      return ifAbsent;
    }
    String s = value.toUpperCase(Locale.ROOT);
    return STATUSES.contains(s) ? s : "UNKNOWN";
  }

  /** The appid of a Eureka app name: lower-cased (Eureka clients always send upper case). */
  static String appid(String app) {
    return app.toLowerCase(Locale.ROOT);
  }

  static String upper(String appid) {
    return appid.toUpperCase(Locale.ROOT);
  }

  private static long lastDirty(JsonNode info) {
    JsonNode v = info.get("lastDirtyTimestamp");
    if (v == null || v.isNull()) {
      return 0;
    }
    Long parsed = v.isNumber() ? Long.valueOf(v.asLong()) : Params.asciiLong(v.asText());
    if (parsed == null || parsed < 0) {
      throw badRequest("lastDirtyTimestamp must be a number of milliseconds, got " + v);
    }
    return parsed;
  }

  private static Lease lease(JsonNode leaseInfo) {
    if (leaseInfo == null || leaseInfo.isNull()) {
      return new Lease(30_000, 90_000);
    }
    if (!leaseInfo.isObject()) {
      throw badRequest("leaseInfo must be a JSON object");
    }
    long renew = seconds(leaseInfo, "renewalIntervalInSecs", 30);
    long duration = seconds(leaseInfo, "durationInSecs", 90);
    return new Lease(renew * 1000, duration * 1000);
  }

  private static long seconds(JsonNode leaseInfo, String field, long ifAbsent) {
    JsonNode v = leaseInfo.get(field);
    if (v == null || v.isNull()) {
      return ifAbsent;
    }
    Long s = v.isIntegralNumber() ? Long.valueOf(v.asLong()) : Params.asciiLong(v.asText());
    if (s == null || s < 1 || s > MAX_LEASE_SECONDS) {
      throw badRequest(
          "leaseInfo." + field + " must be 1.." + MAX_LEASE_SECONDS + " seconds, got " + v);
    }
    return s;
  }

  private static Map<String, String> metadata(JsonNode node) {
    Map<String, String> m = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return m;
    }
    if (!node.isObject()) {
      throw badRequest("metadata must be a JSON object of string values");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("@class")) {
        continue; // the type tag older clients write into an empty map
      }
      JsonNode v = e.getValue();
      if (!v.isValueNode() || v.isNull()) {
        throw badRequest("metadata value of '" + e.getKey() + "' must be a string");
      }
      if (v.asText().length() > MAX_VALUE_LENGTH || e.getKey().length() > MAX_VALUE_LENGTH) {
        throw badRequest("metadata '" + e.getKey() + "' is longer than " + MAX_VALUE_LENGTH);
      }
      m.put(e.getKey(), v.asText());
    }
    return m;
  }

  /** http://host:port and https://host:securePort, for each port that is enabled. */
  private static List<String> addrs(JsonNode info, String hostName) {
    List<String> addrs = new ArrayList<>(2);
    int port = port(info.get("port"), true);
    if (port > 0) {
      addrs.add("http://" + hostName + ":" + port);
    }
    int securePort = port(info.get("securePort"), false);
    if (securePort > 0) {
      addrs.add("https://" + hostName + ":" + securePort);
    }
    return addrs;
  }

  /** The port if enabled, else 0; a bare number is a port enabled by {@code enabledByDefault}. */
  private static int port(JsonNode node, boolean enabledByDefault) {
    if (node == null || node.isNull()) {
      return 0;
    }
    JsonNode number = node.isObject() ? node.get("$") : node;
    boolean enabled =
        node.isObject() && node.has("@enabled")
            ? node.get("@enabled").asText().equalsIgnoreCase("true")
            : enabledByDefault;
    if (number == null || !enabled) {
      return 0;
    }
    int p = number.isIntegralNumber() ? number.asInt() : parsePort(number.asText());
    if (p < 1 || p > 65_535) {
      throw badRequest("port must be 1..65535, got " + number);
    }
    return p;
  }

  private static int parsePort(String text) {
    Integer p = Params.asciiInt(text);
    return p == null ? -1 : p;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull() || !v.isValueNode()) {
      return null;
    }
    String s = v.asText();
    return s.isBlank() ? null : s;
  }

  static ApiException badRequest(String message) {
    return new ApiException(Code.BAD_REQUEST, message);
  }

  // ---- writing what Eureka shows ----

  /** The status Eureka shows: Roster's UP-ness wins (a drain through discovery's set shows). */
  static String viewStatus(Instance i) {
    if (!EurekaFields.isEureka(i)) {
      return i.status() == Status.UP ? "UP" : "OUT_OF_SERVICE";
    }
    if (i.status() == Status.UP) {
      return "UP";
    }
    String effective = EurekaFields.effectiveStatus(i.extensions());
    return effective.equals("UP") ? "OUT_OF_SERVICE" : effective;
  }

  /** {@code UP_3_}, {@code DOWN_1_UP_2_}: the count of each status, by name (Eureka's rule). */
  static String hashCode(List<Instance> instances) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Instance i : instances) {
      counts.merge(viewStatus(i), 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder();
    counts.forEach((status, n) -> sb.append(status).append('_').append(n).append('_'));
    return sb.toString();
  }

  /** One instance as Eureka shows it, with an {@code actionType} when it is part of a delta. */
  ObjectNode instance(Instance i, String actionType) {
    ObjectNode n = base(i);
    ObjectNode out = NODES.objectNode();
    out.put("instanceId", i.hostname());
    out.put("app", upper(i.appid()));
    out.setAll(n);
    out.put("status", viewStatus(i));
    out.put(
        "overriddenStatus", i.extensions().getOrDefault(EurekaFields.OVERRIDDEN_STATUS, "UNKNOWN"));
    ObjectNode lease = out.putObject("leaseInfo");
    lease.put("renewalIntervalInSecs", seconds(i.lease().renewIntervalMs(), defaultRenewMs));
    lease.put("durationInSecs", seconds(i.lease().durationMs(), defaultExpireMs));
    lease.put("registrationTimestamp", millis(i.regTimestamp()));
    lease.put("lastRenewalTimestamp", millis(i.renewTimestamp()));
    lease.put("evictionTimestamp", 0);
    lease.put("serviceUpTimestamp", millis(i.upTimestamp()));
    ObjectNode metadata = out.putObject("metadata");
    i.metadata().forEach(metadata::put);
    metadata.put("zone", i.zone());
    if (!out.has("isCoordinatingDiscoveryServer")) {
      out.put("isCoordinatingDiscoveryServer", "false");
    }
    out.put("lastUpdatedTimestamp", Long.toString(millis(i.dirtyTimestamp())));
    out.put(
        "lastDirtyTimestamp",
        i.extensions()
            .getOrDefault(
                EurekaFields.LAST_DIRTY_TIMESTAMP, Long.toString(millis(i.dirtyTimestamp()))));
    out.put("actionType", actionType);
    return out;
  }

  private static long seconds(long ms, long defaultMs) {
    return (ms == 0 ? defaultMs : ms) / 1000;
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  /**
   * What the client sent (a Eureka instance), or what Eureka needs made from discovery's fields.
   */
  private ObjectNode base(Instance i) {
    String kept = i.extensions().get(EurekaFields.INSTANCE);
    if (kept != null) {
      try {
        JsonNode n = json.readTree(kept);
        if (n instanceof ObjectNode o) {
          return o;
        }
      } catch (java.io.IOException e) {
        // written by readRegister, so it parses; fall through to the made-up view all the same
      }
    }
    ObjectNode n = NODES.objectNode();
    URI addr = firstHttpAddr(i.addrs());
    String host = addr == null ? i.hostname() : addr.getHost();
    boolean secure = addr != null && addr.getScheme().equals("https");
    int port = addr == null ? 0 : addr.getPort() > 0 ? addr.getPort() : secure ? 443 : 80;
    n.put("hostName", host);
    n.put("ipAddr", host);
    ObjectNode plain = n.putObject("port");
    plain.put("$", secure ? 80 : port);
    plain.put("@enabled", Boolean.toString(addr != null && !secure));
    ObjectNode securePort = n.putObject("securePort");
    securePort.put("$", secure ? port : 443);
    securePort.put("@enabled", Boolean.toString(secure));
    n.put("countryId", 1);
    ObjectNode dc = n.putObject("dataCenterInfo");
    dc.put("@class", DATA_CENTER_CLASS);
    dc.put("name", "MyOwn");
    String base = addr == null ? null : addr.getScheme() + "://" + host + ":" + port + "/";
    n.put("homePageUrl", base);
    n.putNull("statusPageUrl");
    n.putNull("healthCheckUrl");
    n.put("vipAddress", i.appid());
    n.put("secureVipAddress", i.appid());
    return n;
  }

  private static URI firstHttpAddr(List<String> addrs) {
    for (String a : addrs) {
      try {
        URI u = URI.create(a);
        if (("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            && u.getHost() != null) {
          return u;
        }
      } catch (IllegalArgumentException e) {
        // not a URL: try the next one
      }
    }
    return null;
  }

  /** {@code {"applications":{...}}} of the given applications (each sorted list of instances). */
  byte[] applications(
      Map<String, List<Instance>> byApp,
      Map<Instance, String> actions,
      String version,
      String hash) {
    ObjectNode apps = NODES.objectNode();
    apps.put("versions__delta", version);
    apps.put("apps__hashcode", hash);
    ArrayNode list = apps.putArray("application");
    byApp.forEach((appid, instances) -> list.add(application(appid, instances, actions)));
    return bytes(NODES.objectNode().set("applications", apps));
  }

  byte[] application(String appid, List<Instance> instances) {
    return bytes(NODES.objectNode().set("application", application(appid, instances, Map.of())));
  }

  byte[] instance(Instance i) {
    return bytes(NODES.objectNode().set("instance", instance(i, null)));
  }

  private ObjectNode application(
      String appid, List<Instance> instances, Map<Instance, String> actions) {
    ObjectNode app = NODES.objectNode();
    app.put("name", upper(appid));
    ArrayNode list = app.putArray("instance");
    instances.forEach(i -> list.add(instance(i, actions.getOrDefault(i, "ADDED"))));
    return app;
  }

  /** The vip addresses an instance answers to (Eureka allows a comma-separated list). */
  Set<String> vips(Instance i, boolean secure) {
    JsonNode v = base(i).get(secure ? "secureVipAddress" : "vipAddress");
    if (v == null || v.isNull()) {
      return Set.of();
    }
    Set<String> vips = new java.util.HashSet<>();
    for (String s : v.asText().split(",")) {
      if (!s.isBlank()) {
        vips.add(s.trim().toLowerCase(Locale.ROOT));
      }
    }
    return vips;
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot encode a Eureka answer", e);
    }
  }
}
