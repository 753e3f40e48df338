package dev.roster.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Request parameters in order, repeatable names allowed, encoded as the contract wants them. */
final class Form {
  private final List<String[]> pairs = new ArrayList<>();

  Form add(String name, Object value) {
    if (value != null) {
      pairs.add(new String[] {name, value.toString()});
    }
    return this;
  }

  Form addAll(String name, Iterable<?> values) {
    values.forEach(v -> add(name, v));
    return this;
  }

  /** {@code application/x-www-form-urlencoded}, also used as a query string. */
  String encode() {
    StringBuilder b = new StringBuilder();
    for (String[] p : pairs) {
      if (b.length() > 0) {
        b.append('&');
      }
      b.append(URLEncoder.encode(p[0], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
    }
    return b.toString();
  }
}
