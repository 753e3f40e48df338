package dev.roster.node.cluster;

import dev.roster.node.command.CancelCommand;
import dev.roster.node.command.SetCommand;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import dev.roster.node.raft.LeaderTask;
import dev.roster.node.raft.LeadershipListener;
import dev.roster.node.raft.Membership;
import dev.roster.node.raft.RaftRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the nodes' own entries ({@value PeerDirectory#APPID}) telling the truth, from the leader. A
 * dead node's entry would otherwise stay UP until it expires (90 s and more) and every new client
 * would first spend a timeout on it. The leader knows within one lease which members answer its
 * heartbeats: a member that does not is set to WAITING — not UP, so fetches and polls leave it out
 * — and back to UP once it answers; the entry of a node that is no longer a member is cancelled.
 * Each change is an ordinary replicated {@code set} or {@code cancel}, so every node answers the
 * same.
 */
public final class NodeLiveness implements LeadershipListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);

  private final RaftRegistry raft;
  private final long settleNanos;
  private final long writeTimeoutMs;
  private final LeaderTask task;

  /** Entries of removed members already reported, so a node that keeps announcing logs once. */
  private final Set<String> reportedRemoved = new HashSet<>();

  private volatile long leaderSinceNanos;

  /**
   * @param electionTimeout the Raft election timeout: the leader lease JRaft judges members by is
   *     90 % of it, and a new leader waits one timeout before it calls anybody unreachable
   */
  public NodeLiveness(RaftRegistry raft, Duration electionTimeout, long writeTimeoutMs) {
    this.raft = raft;
    this.settleNanos = electionTimeout.toNanos();
    this.writeTimeoutMs = writeTimeoutMs;
    this.task =
        new LeaderTask(
            "roster-node-liveness",
            Duration.ofMillis(Math.max(20, Math.min(500, electionTimeout.toMillis() / 4))),
            this::check);
  }

  @Override
  public void onLeaderStart(long term) {
    leaderSinceNanos = System.nanoTime();
    task.onLeaderStart(term);
  }

  @Override
  public void onLeaderStop() {
    task.onLeaderStop();
  }

  /** One look at the members, on the leader; public so tests can run it now. */
  public void check() {
    try {
      Optional<Membership> view = raft.admin().membership();
      if (view.isEmpty()) {
        return;
      }
      Membership m = view.get();
      // a new leader has not heard from anybody yet: give its heartbeats one timeout
      boolean settled = System.nanoTime() - leaderSinceNanos >= settleNanos;
      List<Instance> nodes =
          raft.stateMachine()
              .read(
                  r ->
                      r.application(PeerDirectory.ENV, PeerDirectory.APPID)
                          .map(a -> List.copyOf(a.instances()))
                          .orElse(List.of()));
      List<SetChange> changes = new ArrayList<>();
      for (Instance i : nodes) {
        String node = i.hostname();
        if (!m.members().contains(node)) {
          remove(node);
          continue;
        }
        reportedRemoved.remove(node);
        boolean alive = m.alive().contains(node);
        if (alive && i.status() != Status.UP) {
          changes.add(new SetChange(node, Status.UP, null));
        } else if (!alive && settled && i.status() == Status.UP) {
          changes.add(new SetChange(node, Status.WAITING, null));
        }
      }
      if (changes.isEmpty()) {
        return;
      }
      // all or nothing: if an entry went away meanwhile, the next look sees that
      boolean applied =
          raft.writes()
              .propose(
                  ts -> new SetCommand(ts, PeerDirectory.ENV, PeerDirectory.APPID, changes),
                  writeTimeoutMs)
              .get(writeTimeoutMs + 1000, TimeUnit.MILLISECONDS)
              .isOk();
      for (SetChange c : applied ? changes : List.<SetChange>of()) {
        if (c.status() == Status.UP) {
          log.info("node {} answers the leader again: listed as UP", c.hostname());
        } else {
          log.info(
              "node {} does not answer the leader: listed as not UP until it does", c.hostname());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("node liveness check failed", e);
    }
  }

  private void remove(String node) throws Exception {
    InstanceKey entry = new InstanceKey(PeerDirectory.ENV, PeerDirectory.APPID, node);
    raft.writes()
        .propose(ts -> new CancelCommand(ts, entry), writeTimeoutMs)
        .get(writeTimeoutMs + 1000, TimeUnit.MILLISECONDS);
    if (reportedRemoved.add(node)) {
      log.info("node {} is no longer a member: its entry is removed", node);
    }
  }

  @Override
  public void close() {
    task.close();
  }
}
