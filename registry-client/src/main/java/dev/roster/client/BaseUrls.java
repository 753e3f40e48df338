package dev.roster.client;

import java.net.URI;

/**
 * Reads node addresses into base URLs, {@code scheme://host[:port]}: strictly for the configured
 * nodes (an exception names what is wrong), leniently for the leader a redirect names.
 */
final class BaseUrls {
  private BaseUrls() {}

  /** The base URL of a configured or reported node, or an exception naming what is wrong. */
  static URI parse(String url) {
    URI u;
    try {
      u = new URI(url.trim());
    } catch (Exception e) {
      throw new IllegalArgumentException("'" + url + "' is not a URL");
    }
    String scheme = u.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("'" + url + "' must start with http:// or https://");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("'" + url + "' has no host");
    }
    String path = u.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || u.getRawQuery() != null
        || u.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "'" + url + "' must be a base URL like http://host:7171 (no path or query)");
    }
    return base(scheme, u);
  }

  /**
   * The base URL of the node a redirect names ({@code data.leader} or the Location header), or null
   * when there is none or it is not an absolute URL.
   */
  static URI ofRedirect(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    try {
      URI u = URI.create(url);
      if (u.getScheme() == null || u.getHost() == null) {
        return null;
      }
      return base(u.getScheme(), u);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static URI base(String scheme, URI u) {
    return URI.create(
        scheme.toLowerCase() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort()));
  }
}
