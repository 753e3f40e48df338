package dev.roster.node.model;

import java.util.Objects;

/** An application is identified by its appid within an environment. */
public record AppKey(String appid, String env) {
  public AppKey {
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(env, "env");
  }
}
