package dev.roster.node.model;

import java.util.Objects;

/** An application is identified by its appid within an environment. */
public record AppKey(String env, String appid) {
  public AppKey {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(appid, "appid");
  }
}
