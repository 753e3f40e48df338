package dev.roster.node.model;

import java.util.Objects;

/**
 * Which instance: its hostname within an application of an environment. The one order of these
 * three everywhere (commands, the model, the log), the order the log has always written them in.
 */
public record InstanceKey(String env, String appid, String hostname) {
  public InstanceKey {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(hostname, "hostname");
  }

  public AppKey appKey() {
    return new AppKey(env, appid);
  }
}
