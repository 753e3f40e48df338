package dev.roster.node.model;

import java.util.HashMap;
import java.util.Map;

/**
 * The extension keys under which an instance registered through the Eureka API keeps what Roster's
 * own model has no field for, and the one rule that joins Eureka's five statuses to Roster's two:
 * an instance is UP for Roster when the status Eureka would show for it is UP.
 *
 * <p>Eureka keeps a status override ({@code PUT .../status}, the rolling-deploy OUT_OF_SERVICE)
 * apart from the status the client reports; the override wins until it is deleted, across renews
 * and re-registers.
 */
public final class EurekaFields {
  /** The status the client reported in its last register (UP, DOWN, STARTING...). */
  public static final String STATUS = "eureka.status";

  /** The status override, absent when there is none. */
  public static final String OVERRIDDEN_STATUS = "eureka.overriddenStatus";

  /** The client's {@code lastDirtyTimestamp} (ms) of its last register. */
  public static final String LAST_DIRTY_TIMESTAMP = "eureka.lastDirtyTimestamp";

  /** The rest of the client's InstanceInfo, as the JSON object it sent. */
  public static final String INSTANCE = "eureka.instance";

  public static final String UP = "UP";

  private EurekaFields() {}

  /** True for an instance registered through the Eureka API. */
  public static boolean isEureka(Instance i) {
    return i.extensions().containsKey(STATUS);
  }

  /** The status Eureka shows: the override when there is one, else the client's own. */
  public static String effectiveStatus(Map<String, String> extensions) {
    String override = extensions.get(OVERRIDDEN_STATUS);
    return override != null ? override : extensions.getOrDefault(STATUS, UP);
  }

  public static Status rosterStatus(Map<String, String> extensions) {
    return UP.equals(effectiveStatus(extensions)) ? Status.UP : Status.WAITING;
  }

  /** {@code extensions} with the override set, or removed when {@code override} is null. */
  public static Map<String, String> withOverride(Map<String, String> extensions, String override) {
    Map<String, String> copy = new HashMap<>(extensions);
    if (override == null) {
      copy.remove(OVERRIDDEN_STATUS);
    } else {
      copy.put(OVERRIDDEN_STATUS, override);
    }
    return copy;
  }

  /** A register that keeps {@code override}: its extensions carry it and its status obeys it. */
  public static InstanceSpec keepingOverride(InstanceSpec spec, String override) {
    Map<String, String> ext = withOverride(spec.extensions(), override);
    return new InstanceSpec(
        spec.region(),
        spec.zone(),
        spec.env(),
        spec.appid(),
        spec.hostname(),
        spec.addrs(),
        spec.version(),
        rosterStatus(ext),
        spec.metadata(),
        spec.lease(),
        ext);
  }
}
