package dev.roster.node.model;

import static dev.roster.node.model.Specs.APPID;
import static dev.roster.node.model.Specs.ENV;
import static dev.roster.node.model.Specs.latest;
import static dev.roster.node.model.Specs.registry;
import static dev.roster.node.model.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * latest_timestamp = max(ts, previous + 1): pollers never miss a change, whatever the clocks do.
 */
class LatestTimestampTest {
  private final Registry registry = registry();

  @Test
  void latestTimestampFollowsTsWhileTsAdvances() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 250);

    assertThat(latest(registry)).isEqualTo(250);
  }

  @Test
  void latestTimestampIncreasesWhenTsRepeats() {
    registry.register(spec("h1"), 100);
    registry.register(spec("h2"), 100);
    registry.register(spec("h3"), 100);

    assertThat(latest(registry)).isEqualTo(102);
  }

  @Test
  void latestTimestampIncreasesWhenTsGoesBackwards() {
    registry.register(spec("h1"), 1_000);
    // a new leader whose clock is behind the old leader's
    registry.register(spec("h2"), 400);

    assertThat(latest(registry)).isEqualTo(1_001);
  }

  @Test
  void pollerHoldingLatestSeesChangeMadeWithOlderTs() {
    registry.register(spec("h1"), 1_000);
    registry.register(spec("h2"), 1_001);
    long held = registry.fetch(ENV, APPID, null, Status.ANY, 0).latestTimestamp();

    registry.cancel(new InstanceKey(ENV, APPID, "h1"), 500);

    Fetch f = registry.fetch(ENV, APPID, null, Status.ANY, held);
    assertThat(f.outcome()).isEqualTo(Fetch.Outcome.FOUND);
    assertThat(f.latestTimestamp()).isGreaterThan(held);
  }

  @Test
  void latestTimestampStrictlyIncreasesAcrossMixedWritesWithErraticClock() {
    long[] clock = {500, 500, 300, 900, 899, 100, 100, 2_000, 1_999, 5};
    List<Long> seen = new ArrayList<>();
    registry.register(spec("h0"), clock[0]);
    seen.add(latest(registry));
    for (int n = 1; n < clock.length; n++) {
      long ts = clock[n];
      switch (n % 4) {
        case 0 -> registry.register(spec("h" + n), ts);
        case 1 -> registry.register(spec("h0", n % 2 == 0 ? Status.UP : Status.WAITING), ts);
        case 2 ->
            registry.set(
                ENV, APPID, List.of(new SetChange("h0", Status.UP, Map.of("n", "" + n))), ts);
        default -> {
          registry.register(spec("x" + n), ts);
          registry.cancel(new InstanceKey(ENV, APPID, "x" + n), ts);
          seen.add(latest(registry));
          continue;
        }
      }
      seen.add(latest(registry));
    }

    for (int k = 1; k < seen.size(); k++) {
      assertThat(seen.get(k)).as("step %d of %s", k, seen).isGreaterThan(seen.get(k - 1));
    }
  }

  @Test
  void latestTimestampIsKeptPerApplication() {
    registry.register(spec("sh001", "app.a", "h1", Status.UP), 1_000);
    registry.register(spec("sh001", "app.b", "h1", Status.UP), 200);

    assertThat(registry.application(ENV, "app.a").orElseThrow().latestTimestamp()).isEqualTo(1_000);
    assertThat(registry.application(ENV, "app.b").orElseThrow().latestTimestamp()).isEqualTo(200);
  }
}
