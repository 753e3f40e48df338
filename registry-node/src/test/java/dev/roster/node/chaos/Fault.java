package dev.roster.node.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The faults a round can inject. Each is bounded: {@link #inject} breaks something and returns how
 * to heal it; the runner heals after {@link #hold}. Process faults signal only the node PIDs the
 * runner started; partitions add iptables rules inside the run's own network namespace.
 */
enum Fault {
  KILL_LEADER("kill-leader", false, Duration.ofSeconds(4)),
  KILL_FOLLOWER("kill-follower", false, Duration.ofSeconds(4)),
  KILL_TWO("kill-two", false, Duration.ofSeconds(4)),
  RESTART_ALL("restart-all", false, Duration.ofSeconds(1)),
  PAUSE_LEADER("pause-leader", false, Duration.ofSeconds(5)),
  TERMINATE_LEADER("terminate-leader", false, Duration.ofSeconds(2)),
  /** Leadership moved again and again under load (POST /cluster/transfer-leader every ~200 ms). */
  TRANSFER_CHURN("transfer-churn", false, Duration.ofSeconds(5)),
  ISOLATE_LEADER("isolate-leader", true, Duration.ofSeconds(6)),
  ONE_WAY("one-way-partition", true, Duration.ofSeconds(6)),
  /** Every packet to and from the leader's address silently dropped: connects to it hang. */
  BLACKHOLE_LEADER("blackhole-leader", true, Duration.ofSeconds(5));

  final String label;
  final boolean needsNetwork;
  final Duration hold;

  Fault(String label, boolean needsNetwork, Duration hold) {
    this.label = label;
    this.needsNetwork = needsNetwork;
    this.hold = hold;
  }

  static Fault byLabel(String label) {
    for (Fault f : values()) {
      if (f.label.equals(label)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown fault '" + label + "'");
  }

  /** How long to keep this fault: its nominal hold, scaled by a random factor in [0.5, 1.5). */
  Duration holdFor(Random random) {
    return Duration.ofMillis((long) (hold.toMillis() * (0.5 + random.nextDouble())));
  }

  /** What was done, and how to undo it. */
  record Injected(String detail, java.util.function.Supplier<String> heal) {}

  Injected inject(ChaosCluster c, int leader, Random random) {
    int n = c.size();
    List<Integer> followers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i != leader) {
        followers.add(i);
      }
    }
    int follower = followers.get(random.nextInt(followers.size()));
    switch (this) {
      case KILL_LEADER -> {
        c.kill(leader);
        return new Injected("SIGKILL leader n" + leader, () -> restart(c, leader));
      }
      case KILL_FOLLOWER -> {
        c.kill(follower);
        return new Injected("SIGKILL follower n" + follower, () -> restart(c, follower));
      }
      case KILL_TWO -> {
        c.kill(leader);
        c.kill(follower);
        return new Injected(
            "SIGKILL leader n" + leader + " and follower n" + follower + " (no quorum)",
            () -> restart(c, leader) + ", " + restart(c, follower));
      }
      case RESTART_ALL -> {
        for (int i = 0; i < n; i++) {
          c.kill(i);
        }
        return new Injected(
            "SIGKILL all nodes",
            () -> {
              List<String> done = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                done.add(restart(c, i));
              }
              return String.join(", ", done);
            });
      }
      case PAUSE_LEADER -> {
        c.signal(leader, "STOP");
        return new Injected(
            "SIGSTOP leader n" + leader,
            () -> {
              c.signal(leader, "CONT");
              return "SIGCONT n" + leader;
            });
      }
      case TERMINATE_LEADER -> {
        c.terminate(leader, Duration.ofSeconds(15));
        return new Injected(
            "SIGTERM leader n" + leader + " (graceful hand-over)", () -> restart(c, leader));
      }
      case TRANSFER_CHURN -> {
        java.util.concurrent.atomic.AtomicBoolean stop =
            new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger moved =
            new java.util.concurrent.atomic.AtomicInteger();
        Thread churn =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    if (c.transferLeadership()) {
                      moved.incrementAndGet();
                    }
                    NodeClient.pause(100 + random.nextInt(200));
                  }
                },
                "chaos-transfer-churn");
        churn.setDaemon(true);
        churn.start();
        return new Injected(
            "leadership transferred repeatedly",
            () -> {
              stop.set(true);
              try {
                churn.join(15_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return "leadership moved " + moved.get() + " times";
            });
      }
      case ISOLATE_LEADER -> {
        for (int f : followers) {
          c.drop(leader, f);
          c.drop(f, leader);
        }
        return new Injected(
            "leader n" + leader + " cut from " + followers + " both ways", () -> heal(c));
      }
      case ONE_WAY -> {
        boolean fromLeader = random.nextBoolean();
        int from = fromLeader ? leader : follower;
        int to = fromLeader ? follower : leader;
        c.drop(from, to);
        return new Injected(
            "packets from "
                + (fromLeader ? "leader" : "follower")
                + " n"
                + from
                + " to "
                + (fromLeader ? "follower" : "leader")
                + " n"
                + to
                + " dropped (one way)",
            () -> heal(c));
      }
      case BLACKHOLE_LEADER -> {
        c.blackhole(leader);
        return new Injected(
            "leader n"
                + leader
                + " black-holed (every packet to and from "
                + c.node(leader).host()
                + " dropped)",
            () -> heal(c));
      }
      default -> throw new IllegalStateException(this.toString());
    }
  }

  private static String restart(ChaosCluster c, int node) {
    c.start(node);
    return "restarted n" + node;
  }

  private static String heal(ChaosCluster c) {
    c.healNetwork();
    return "iptables rules removed";
  }
}
