package dev.roster.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** A latency distribution in microseconds (HdrHistogram, 3 significant digits), thread-safe. */
final class Latency {
  private final Histogram h = new ConcurrentHistogram(3);

  void recordNanos(long nanos) {
    h.recordValue(Math.max(0, nanos / 1000));
  }

  long count() {
    return h.getTotalCount();
  }

  double ms(double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMs() {
    return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
  }

  /** {count, p50, p90, p99, p999, max} with times in ms. */
  Report summary() {
    return new Report()
        .put("count", count())
        .put("p50_ms", ms(50))
        .put("p90_ms", ms(90))
        .put("p99_ms", ms(99))
        .put("p999_ms", ms(99.9))
        .put("max_ms", maxMs());
  }

  String line() {
    return count() == 0
        ? "n=0"
        : String.format(
            java.util.Locale.ROOT,
            "n=%d p50 %.2f ms, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f",
            count(),
            ms(50),
            ms(90),
            ms(99),
            ms(99.9),
            maxMs());
  }
}
