package dev.roster.node.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * A small Prometheus text-format (0.0.4) registry: request counters and latency histograms by
 * endpoint, plus gauges and counters read from the node when scraped. Recording is lock-free
 * (LongAdder), so the HTTP hot path pays a map lookup and two increments.
 */
public final class Metrics {
  /** Latency bucket bounds in seconds. */
  static final double[] BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private final Map<String, Map<Integer, LongAdder>> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final List<Sampled> sampled = new ArrayList<>();

  private record Sampled(String name, String type, String help, DoubleSupplier value) {}

  /** A counter with one label, all its values read at scrape time. */
  private record Labelled(
      String name, String help, String label, Supplier<Map<String, ? extends Number>> values) {}

  private final List<Labelled> labelled = new ArrayList<>();

  private static final class Histogram {
    final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
    final LongAdder count = new LongAdder();
    final LongAdder sumNanos = new LongAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(long nanos) {
      double seconds = nanos / 1e9;
      int i = 0;
      while (i < BUCKETS.length && seconds > BUCKETS[i]) {
        i++;
      }
      counts[i].increment();
      count.increment();
      sumNanos.add(nanos);
    }
  }

  /** Records one answered request: its endpoint (a known route, or "other"), code and latency. */
  public void recordRequest(String endpoint, int code, long nanos) {
    requests
        .computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .computeIfAbsent(code, c -> new LongAdder())
        .increment();
    latency.computeIfAbsent(endpoint, e -> new Histogram()).observe(nanos);
  }

  /** A value read at scrape time. Register all of them before the node serves. */
  public synchronized Metrics gauge(String name, String help, DoubleSupplier value) {
    sampled.add(new Sampled(name, "gauge", help, value));
    return this;
  }

  /** A monotonic count kept elsewhere (e.g. in the state machine), read at scrape time. */
  public synchronized Metrics counter(String name, String help, DoubleSupplier value) {
    sampled.add(new Sampled(name, "counter", help, value));
    return this;
  }

  /**
   * A monotonic count by one label (e.g. evictions by reason), read at scrape time; every value of
   * the label the supplier returns is one series.
   */
  public synchronized Metrics counter(
      String name, String help, String label, Supplier<Map<String, ? extends Number>> values) {
    labelled.add(new Labelled(name, help, label, values));
    return this;
  }

  /** The exposition text. */
  public String scrape() {
    StringBuilder out = new StringBuilder(4096);
    out.append(
        "# HELP roster_http_requests_total HTTP requests answered, by endpoint and envelope code.\n");
    out.append("# TYPE roster_http_requests_total counter\n");
    new TreeMap<>(requests)
        .forEach(
            (endpoint, byCode) ->
                new TreeMap<>(byCode)
                    .forEach(
                        (code, n) ->
                            out.append("roster_http_requests_total{endpoint=\"")
                                .append(escape(endpoint))
                                .append("\",code=\"")
                                .append(code)
                                .append("\"} ")
                                .append(n.sum())
                                .append('\n')));
    out.append(
        "# HELP roster_http_request_seconds Time from request received to reply written, by endpoint.\n");
    out.append("# TYPE roster_http_request_seconds histogram\n");
    new TreeMap<>(latency)
        .forEach(
            (endpoint, h) -> {
              String label = "endpoint=\"" + escape(endpoint) + "\"";
              long cumulative = 0;
              for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += h.counts[i].sum();
                out.append("roster_http_request_seconds_bucket{")
                    .append(label)
                    .append(",le=\"")
                    .append(format(BUCKETS[i]))
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
              }
              cumulative += h.counts[BUCKETS.length].sum();
              out.append("roster_http_request_seconds_bucket{")
                  .append(label)
                  .append(",le=\"+Inf\"} ")
                  .append(cumulative)
                  .append('\n');
              out.append("roster_http_request_seconds_sum{")
                  .append(label)
                  .append("} ")
                  .append(format(h.sumNanos.sum() / 1e9))
                  .append('\n');
              out.append("roster_http_request_seconds_count{")
                  .append(label)
                  .append("} ")
                  .append(h.count.sum())
                  .append('\n');
            });
    List<Sampled> snapshot;
    List<Labelled> labelledSnapshot;
    synchronized (this) {
      snapshot = List.copyOf(sampled);
      labelledSnapshot = List.copyOf(labelled);
    }
    for (Labelled l : labelledSnapshot) {
      out.append("# HELP ").append(l.name()).append(' ').append(l.help()).append('\n');
      out.append("# TYPE ").append(l.name()).append(" counter\n");
      new TreeMap<String, Number>(l.values().get())
          .forEach(
              (value, n) ->
                  out.append(l.name())
                      .append('{')
                      .append(l.label())
                      .append("=\"")
                      .append(escape(value))
                      .append("\"} ")
                      .append(format(n.doubleValue()))
                      .append('\n'));
    }
    for (Sampled s : snapshot) {
      out.append("# HELP ").append(s.name()).append(' ').append(s.help()).append('\n');
      out.append("# TYPE ").append(s.name()).append(' ').append(s.type()).append('\n');
      out.append(s.name()).append(' ').append(format(s.value().getAsDouble())).append('\n');
    }
    return out.toString();
  }

  static String format(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
