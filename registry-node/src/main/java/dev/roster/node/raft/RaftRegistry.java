package dev.roster.node.raft;

import static dev.roster.node.util.Concurrency.daemonThreads;

import com.alipay.sofa.jraft.Node;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry as seen through Raft, the one entry point to this package: wires the roles together
 * and groups what callers need, in the spirit of Ratis's {@code RaftClient}: {@link #writes()}
 * (proposals stamped by the leader clock), {@link #reads()} (readIndex and the catch-up after
 * start), {@link #leadership()} (who leads, waits for a leader), {@link #admin()} (membership,
 * transfer, reset, snapshots), and {@link #status()} / {@link #isReady()}.
 */
public final class RaftRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RaftRegistry.class);

  private final RegistryStateMachine fsm;
  private final ScheduledExecutorService timer;
  private final RaftNode raft;
  private final CrashDetector crashDetector;
  private final LeaderTracker leadership;
  private final Proposer proposer;
  private final ReadIndexRounds rounds;
  private final StartupCatchUp catchUp;
  private final FollowerCommitCatchUp commitCatchUp;
  private final SnapshotPolicy snapshots;
  private final NodeStatus status;
  private final MembershipAdmin admin;
  private final Reads reads;

  public RaftRegistry(RaftSettings settings, RegistryStateMachine fsm) {
    this(settings, fsm, RaftStorage.standard(), LeaderClock.system());
  }

  /**
   * A registry whose JRaft storage is {@code storage} (tests use it to give one node a slow disk)
   * and whose leader stamps writes with {@code clock}.
   */
  public RaftRegistry(
      RaftSettings settings, RegistryStateMachine fsm, RaftStorage storage, LeaderClock clock) {
    this.fsm = fsm;
    this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("roster-raft-timer"));
    int electionTimeoutMs = settings.electionTimeoutMs();
    this.raft = new RaftNode(settings, fsm, storage);
    this.crashDetector = new CrashDetector(raft, electionTimeoutMs);
    this.leadership = new LeaderTracker(raft, crashDetector, timer);
    this.proposer = new Proposer(raft, fsm, leadership, clock);
    this.rounds = new ReadIndexRounds(raft);
    this.catchUp = new StartupCatchUp(raft, rounds, leadership, electionTimeoutMs);
    this.commitCatchUp = new FollowerCommitCatchUp(raft, fsm, electionTimeoutMs);
    this.snapshots = new SnapshotPolicy(raft, fsm, settings);
    this.status = new NodeStatus(raft, fsm, settings, leadership, catchUp);
    this.admin = new MembershipAdmin(raft, leadership, status, snapshots);
    this.reads = new ReadSide(rounds, catchUp);
    fsm.addApplyListener(new CommitAnnouncer(raft, fsm, rounds, electionTimeoutMs));
  }

  public void start() {
    raft.start();
    crashDetector.start();
    timer.scheduleWithFixedDelay(
        neverThrowing(
            "catch-up check",
            () -> {
              catchUp.confirmCaughtUp();
              commitCatchUp.check();
            }),
        FollowerCommitCatchUp.CHECK_EVERY_MS,
        FollowerCommitCatchUp.CHECK_EVERY_MS,
        TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(
        neverThrowing("snapshot check", snapshots::snapshotIfReplayGrew), 1, 1, TimeUnit.SECONDS);
  }

  /** A periodic task that an exception does not cancel (a scheduled executor would drop it). */
  private static Runnable neverThrowing(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.debug("{} failed", what, e);
      }
    };
  }

  /** This node's member id, its Raft address. */
  public NodeId self() {
    return NodeId.of(raft.self());
  }

  public RegistryStateMachine stateMachine() {
    return fsm;
  }

  public Writes writes() {
    return proposer;
  }

  public Reads reads() {
    return reads;
  }

  public Leadership leadership() {
    return leadership;
  }

  public Admin admin() {
    return admin;
  }

  /** A point-in-time view of this node's Raft state. */
  public ClusterStatus status() {
    return status.current();
  }

  /**
   * True when a leader is known, this node has {@linkplain Reads#caughtUp() caught up} since it
   * started, and it has applied everything it knows is committed.
   */
  public boolean isReady() {
    return status.isReady();
  }

  /** The JRaft node (tests that need to drive JRaft directly). */
  Node jraftNode() {
    return raft.node();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    crashDetector.close();
    raft.close();
  }

  /** {@link Reads} as its two roles provide it. */
  private record ReadSide(ReadIndexRounds rounds, StartupCatchUp catchUp) implements Reads {
    @Override
    public CompletableFuture<Void> readIndex(long timeoutMs) {
      return rounds.readIndex(timeoutMs);
    }

    @Override
    public boolean caughtUp() {
      return catchUp.caughtUp();
    }

    @Override
    public CompletableFuture<Void> awaitCaughtUp(long timeoutMs) {
      return catchUp.awaitCaughtUp(timeoutMs);
    }
  }
}
