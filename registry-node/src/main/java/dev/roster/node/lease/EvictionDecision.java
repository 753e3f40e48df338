package dev.roster.node.lease;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.Guard;
import dev.roster.node.model.Instance;
import dev.roster.node.model.RegistryView;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What one eviction check decides, computed from the registry as the leader sees it. The random
 * choice is made here, on the leader; only its result (the targets) enters the log.
 */
public record EvictionDecision(
    List<EvictTarget> targets, boolean protecting, int expired, long renews, long threshold) {

  /**
   * @param now the leader's clock, Unix nanoseconds
   * @param inGrace true during the first expiry period of a leadership: renews lost in the election
   *     or outage must not cause a mass eviction, so nothing is evicted yet
   */
  public static EvictionDecision decide(
      RegistryView registry,
      long now,
      boolean inGrace,
      EvictionPolicy policy,
      RandomGenerator random) {
    long instances = registry.instanceCount();
    Guard guard = registry.guard();
    // the window this check closes decides protection
    long renews = guard.renewsThisWindow();
    long threshold = registry.renewThreshold();
    boolean protecting = renews < threshold;
    if (inGrace) {
      return new EvictionDecision(List.of(), protecting, 0, renews, threshold);
    }
    List<Instance> expired = registry.expired(now, policy.expire().toNanos());
    List<Instance> candidates = expired;
    if (protecting) {
      // protection never keeps an instance more than the ceiling past its last renew
      long ceiling = policy.ceiling().toNanos();
      candidates = new ArrayList<>();
      for (Instance i : expired) {
        if (now - i.renewTimestamp() > ceiling) {
          candidates.add(i);
        }
      }
    } else {
      candidates = new ArrayList<>(expired);
    }
    int take = (int) Math.min(candidates.size(), policy.cap(instances));
    shuffle(candidates, random);
    List<EvictTarget> targets = new ArrayList<>(take);
    EvictionReason reason = protecting ? EvictionReason.PAST_CEILING : EvictionReason.EXPIRED;
    for (int i = 0; i < take; i++) {
      targets.add(EvictTarget.of(candidates.get(i), reason));
    }
    return new EvictionDecision(targets, protecting, expired.size(), renews, threshold);
  }

  /** Fisher–Yates (Knuth) shuffle: every order equally likely, so no instance is always spared. */
  static <T> void shuffle(List<T> list, RandomGenerator random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
