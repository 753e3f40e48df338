package dev.roster.node.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/** The markdown form of {@code report.json}: one table row per round, totals, every anomaly. */
final class ChaosReport {
  private ChaosReport() {}

  static String markdown(JsonNode report) {
    StringBuilder md = new StringBuilder("# Chaos run\n\n");
    md.append("- mode: ").append(report.path("mode").asText()).append('\n');
    md.append("- started: ")
        .append(report.path("started").asText())
        .append(", elapsed: ")
        .append(String.format("%.0f s", report.path("elapsed_s").asDouble()))
        .append('\n');
    md.append("- seed: ")
        .append(report.path("seed").asLong())
        .append(", clients: ")
        .append(report.path("clients").asInt())
        .append(" × ")
        .append(report.path("instances_per_client").asInt())
        .append(" instances\n\n");
    md.append(
        "| round | fault | what | ops | ok | unknown | fail | not found | anomalies | round s |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    int rounds = 0;
    int skipped = 0;
    long ops = 0;
    long anomalies = 0;
    Map<String, Integer> byFault = new TreeMap<>();
    for (JsonNode r : report.path("rounds")) {
      if (r.has("skipped")) {
        skipped++;
        md.append(
            String.format(
                "| %d | %s | skipped: %s | | | | | | | |%n",
                r.path("round").asInt(), r.path("fault").asText(), r.path("skipped").asText()));
        continue;
      }
      rounds++;
      byFault.merge(r.path("fault").asText(), 1, Integer::sum);
      JsonNode o = r.path("outcomes");
      ops += r.path("operations").asLong();
      anomalies += r.path("anomalies").size();
      md.append(
          String.format(
              "| %d | %s | %s | %d | %d | %d | %d | %d | %d | %.1f |%n",
              r.path("round").asInt(),
              r.path("fault").asText(),
              r.path("detail").asText(),
              r.path("operations").asLong(),
              o.path(Op.OK).asLong(),
              o.path(Op.UNKNOWN).asLong(),
              o.path(Op.FAIL).asLong(),
              o.path(Op.NOT_FOUND).asLong(),
              r.path("anomalies").size(),
              r.path("round_ms").asLong() / 1000.0));
    }
    md.append(
        String.format(
            "%n**%d rounds run** (%d skipped), faults %s, **%d operations**, **%d anomalies**.%n",
            rounds, skipped, byFault, ops, anomalies));
    if (anomalies > 0) {
      md.append("\n## Anomalies\n\n");
      for (JsonNode r : report.path("rounds")) {
        for (JsonNode a : r.path("anomalies")) {
          md.append("- round ")
              .append(a.path("round").asInt())
              .append(" `")
              .append(a.path("kind").asText())
              .append("` ")
              .append(a.path("host").isNull() ? "" : a.path("host").asText() + ": ")
              .append(a.path("detail").asText())
              .append('\n');
        }
      }
    }
    return md.toString();
  }
}
