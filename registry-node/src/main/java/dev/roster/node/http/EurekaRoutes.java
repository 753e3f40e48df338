package dev.roster.node.http;

import java.util.List;

/**
 * Where the Eureka API lives: under {@code /eureka/}, for the node's Eureka env, and under {@code
 * /eureka/{env}/} for any env (Eureka has none: a Spring app picks one by its serviceUrl). An env
 * named like a Eureka resource ({@code apps}, {@code instances}, {@code vips}, {@code svips})
 * cannot be named in the path.
 */
final class EurekaRoutes {
  /** The two roots every Eureka route is served under, the default env's first. */
  static final List<String> ROOTS = List.of("/eureka", "/eureka/{env}");

  private final String defaultEnv;

  EurekaRoutes(String defaultEnv) {
    this.defaultEnv = defaultEnv;
  }

  /** The env a request is for: its path's, or the node's Eureka env. */
  String env(ApiRequest request) {
    String env = request.pathParams().get("env");
    return env == null ? defaultEnv : Params.checkIdentifier("env", env);
  }
}
