package dev.roster.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void requestsAreCountedByEndpointAndCode() {
    Metrics m = new Metrics();
    m.recordRequest("/discovery/renew", 0, 1_000_000);
    m.recordRequest("/discovery/renew", 0, 1_000_000);
    m.recordRequest("/discovery/renew", -404, 1_000_000);
    String text = m.scrape();
    assertThat(text)
        .contains("roster_http_requests_total{endpoint=\"/discovery/renew\",code=\"0\"} 2\n");
    assertThat(text)
        .contains("roster_http_requests_total{endpoint=\"/discovery/renew\",code=\"-404\"} 1\n");
    assertThat(text).contains("# TYPE roster_http_requests_total counter\n");
  }

  @Test
  void latencyHistogramBucketsAreCumulative() {
    Metrics m = new Metrics();
    m.recordRequest("/x", 0, 300_000); // 0.3 ms  -> le 0.0005
    m.recordRequest("/x", 0, 3_000_000); // 3 ms    -> le 0.005
    m.recordRequest("/x", 0, 120_000_000_000L); // 120 s -> only +Inf
    String text = m.scrape();
    assertThat(text)
        .contains("roster_http_request_seconds_bucket{endpoint=\"/x\",le=\"0.0005\"} 1\n");
    assertThat(text)
        .contains("roster_http_request_seconds_bucket{endpoint=\"/x\",le=\"0.0025\"} 1\n");
    assertThat(text)
        .contains("roster_http_request_seconds_bucket{endpoint=\"/x\",le=\"0.005\"} 2\n");
    assertThat(text).contains("roster_http_request_seconds_bucket{endpoint=\"/x\",le=\"60\"} 2\n");
    assertThat(text)
        .contains("roster_http_request_seconds_bucket{endpoint=\"/x\",le=\"+Inf\"} 3\n");
    assertThat(text).contains("roster_http_request_seconds_count{endpoint=\"/x\"} 3\n");
    assertThat(text).contains("roster_http_request_seconds_sum{endpoint=\"/x\"} 120.0033\n");
  }

  @Test
  void gaugesAndCountersAreReadAtScrapeTime() {
    AtomicLong value = new AtomicLong(5);
    Metrics m =
        new Metrics()
            .gauge("roster_test_gauge", "A test gauge.", value::get)
            .counter("roster_test_total", "A test counter.", () -> 7);
    assertThat(m.scrape()).contains("# TYPE roster_test_gauge gauge\nroster_test_gauge 5\n");
    value.set(9);
    assertThat(m.scrape())
        .contains("roster_test_gauge 9\n")
        .contains("# TYPE roster_test_total counter\nroster_test_total 7\n");
  }

  @Test
  void labelValuesAreEscaped() {
    Metrics m = new Metrics();
    m.recordRequest("a\"b\\c", 0, 1);
    assertThat(m.scrape()).contains("endpoint=\"a\\\"b\\\\c\"");
  }
}
