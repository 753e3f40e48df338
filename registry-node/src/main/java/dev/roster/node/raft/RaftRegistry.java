package dev.roster.node.raft;

import com.alipay.sofa.jraft.JRaftServiceFactory;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.NodeManager;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.model.AppKey;
import java.io.File;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry as seen through Raft: proposes writes on the leader (stamping the leader's clock
 * into each), serves linearizable reads through readIndex, and reports who leads.
 */
public final class RaftRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RaftRegistry.class);
  private static final byte[] NO_CONTEXT = new byte[0];

  private final RaftSettings settings;
  private final RegistryStateMachine fsm;
  private final PeerId self;
  private final ScheduledExecutorService timer;
  private final JRaftServiceFactory services;
  private RaftGroupService group;
  private volatile Node node;
  private volatile CrashDetector crashDetector;
  // a change was applied on this leader and not yet announced to the followers (state-machine thread only)
  private boolean announcePending;

  public RaftRegistry(RaftSettings settings, RegistryStateMachine fsm) {
    this(settings, fsm, defaultServices());
  }

  /**
   * A registry whose JRaft storage comes from {@code services} (tests use it to give one node a
   * slow disk); {@link #defaultServices()} is what a node normally runs on.
   */
  public RaftRegistry(RaftSettings settings, RegistryStateMachine fsm, JRaftServiceFactory services) {
    this.settings = settings;
    this.fsm = fsm;
    this.services = services;
    this.self = parsePeer(settings.self());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "roster-raft-timer");
      t.setDaemon(true);
      return t;
    });
    fsm.addApplyListener(this::announceCommit);
  }

  /**
   * A follower learns that an entry is committed only from the leader's next append or heartbeat,
   * and heartbeats go out every election timeout / 10: in a quiet moment a change could sit
   * unapplied on the followers for 100 ms (with the default 1 s timeout), and so would the long
   * polls parked there. So once the leader has applied a change that pollers see (not a renew)
   * and has nothing more in its log, it runs a readIndex round: JRaft confirms leadership with a
   * heartbeat to every follower, and heartbeats carry the commit index, so followers apply the
   * change one RPC later. While more entries are in flight it waits: they are sent after the
   * commit, carry the commit index themselves, and their own apply checks again — a stream of
   * registers costs no extra heartbeats.
   */
  private void announceCommit(Set<AppKey> changed) {
    if (changed == null || !fsm.isLeader()) {
      return;
    }
    if (!changed.isEmpty()) {
      announcePending = true;
    }
    Node n = node;
    if (!announcePending || n == null || n.getLastLogIndex() > fsm.appliedIndex()) {
      return;
    }
    announcePending = false;
    // a heartbeat carries the commit index only up to what that follower has acknowledged: the
    // follower that was not needed for the majority may not have answered the append yet, and
    // the second round (one round trip later) reaches it once it has
    long timeout = settings.electionTimeoutMs();
    readIndex(timeout).thenCompose(x -> readIndex(timeout)).exceptionally(e -> null);
  }

  private static final long CATCH_UP_CHECK_MS = 10;
  // a follower's acknowledgement can come any time after its first ask: ask at least this often
  private static final long MAX_CATCH_UP_GAP_MS = 40;
  // set by the first readIndex round that succeeds after start (see caughtUp())
  private volatile boolean caughtUp;
  private volatile boolean startupReadPending;
  // state of the follower's catch-up check (timer thread only)
  private long lastSeenCommitted = -1;
  private long catchUpGapMs;
  private long nextCatchUpAskNanos;

  /**
   * The follower's side of {@link #announceCommit}: a heartbeat can only advance a follower's
   * commit index up to what that follower had acknowledged when the leader built it, so a
   * follower whose own log write finished after the leader's announcement (a slower disk, a busy
   * core) misses it and would wait for the next heartbeat. Every 10 ms a follower that holds
   * entries it has not seen committed, and whose commit index did not move since the last check,
   * asks the leader for a readIndex: the leader answers by sending every follower a heartbeat,
   * which covers what this follower has acknowledged by then. An ask can come too early (the
   * leader has not committed yet, or has not yet heard this follower's acknowledgement), so while
   * the stall lasts the follower asks again, 10, 20, then every 40 ms (or every heartbeat, if the
   * leader's heartbeats come more often): an ask costs one small RPC and a heartbeat round, 25 a
   * second at most during a long stall. Under steady traffic the commit index moves between
   * checks and nothing is sent.
   */
  private void catchUpCommit() {
    Node n = node;
    if (n == null || fsm.isLeader()) {
      return;
    }
    long committed = n.getLastCommittedIndex();
    long now = System.nanoTime();
    if (committed != lastSeenCommitted || n.getLastLogIndex() <= committed) {
      lastSeenCommitted = committed; // moving, or nothing to wait for: ask at the next stalled check
      catchUpGapMs = CATCH_UP_CHECK_MS;
      nextCatchUpAskNanos = now;
      return;
    }
    if (now - nextCatchUpAskNanos >= 0 && raftLeader().isPresent()) {
      askLeaderForCommitIndex(n);
      nextCatchUpAskNanos = now + TimeUnit.MILLISECONDS.toNanos(catchUpGapMs);
      catchUpGapMs = Math.min(catchUpGapMs * 2, Math.max(CATCH_UP_CHECK_MS, Math.min(MAX_CATCH_UP_GAP_MS, settings.electionTimeoutMs() / 10)));
    }
  }

  /**
   * Until a readIndex round has succeeded since start, this node's state may be a snapshot plus a
   * log it has not yet been told is committed (JRaft applies nothing past the snapshot before the
   * leader's first message): run one as soon as a leader is known, and again until one succeeds.
   */
  private void confirmCaughtUp() {
    if (node == null || caughtUp || startupReadPending || raftLeader().isEmpty()) {
      return;
    }
    startupReadPending = true;
    readIndex(settings.electionTimeoutMs()).whenComplete((v, e) -> startupReadPending = false);
  }

  /**
   * True once this node, since it started, has applied everything the leader had committed when
   * some readIndex round began. Before that it may hold an old snapshot, or nothing at all, while
   * the rest of the registry is still to be replayed: {@code /ready} is false and reads wait.
   */
  public boolean caughtUp() {
    return caughtUp;
  }

  /**
   * Completes at once on a node that has {@linkplain #caughtUp() caught up}; on one that has not,
   * when a readIndex round (run after a leader is known) has brought it up to date, or fails
   * with {@link UnavailableException} after {@code timeoutMs}.
   */
  public CompletableFuture<Void> awaitCaughtUp(long timeoutMs) {
    if (caughtUp) {
      return CompletableFuture.completedFuture(null);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    return awaitLeader(timeoutMs).thenCompose(leader -> {
      if (leader.isEmpty()) {
        throw new UnavailableException("no leader known");
      }
      return readIndex(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }).exceptionallyCompose(e -> CompletableFuture.failedFuture(new UnavailableException(
        "this node has not caught up with the cluster since it started (" + catchUpProgress(e)
            + "); try another node")));
  }

  /** Why a node is not caught up yet: no leader, still replaying (how far), or what failed. */
  private String catchUpProgress(Throwable failure) {
    Node n = node;
    if (n == null || raftLeader().isEmpty()) {
      return "no leader known";
    }
    long applied = n.getLastAppliedLogIndex();
    long committed = n.getLastCommittedIndex();
    if (applied < committed) {
      return "applied " + applied + " of " + committed + " committed entries";
    }
    return unwrap(failure).getMessage();
  }

  /**
   * One readIndex straight to JRaft, not through {@link #readIndex}: reads on a stalled follower
   * wait for the very apply this ask is meant to unblock, and would hold the shared rounds.
   */
  private static void askLeaderForCommitIndex(Node n) {
    n.readIndex(NO_CONTEXT, new ReadIndexClosure() {
      @Override
      public void run(Status status, long index, byte[] reqCtx) {
        // nothing to do: the leader's heartbeat has already carried the commit index here
      }
    });
  }

  /** JRaft's storage with its RocksDB log's truncation fixed ({@link SafeRocksDBLogStorage}). */
  public static JRaftServiceFactory defaultServices() {
    return SafeRocksDBLogStorage.serviceFactory();
  }

  public static PeerId parsePeer(String address) {
    PeerId peer = new PeerId();
    if (!peer.parse(address)) {
      throw new IllegalArgumentException("not a host:port Raft address: " + address);
    }
    return peer;
  }

  public void start() {
    File dir = settings.dataDir().toFile();
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new IllegalStateException("cannot create data directory " + dir);
    }
    // a joining node starts with no configuration and waits for the leader to add it
    Configuration conf = new Configuration();
    if (!settings.join()) {
      settings.peers().forEach(p -> conf.addPeer(parsePeer(p)));
    }

    NodeOptions options = new NodeOptions();
    options.setFsm(fsm);
    options.setServiceFactory(services);
    options.setInitialConf(conf);
    options.setElectionTimeoutMs(settings.electionTimeoutMs());
    // JRaft pings a peer it has no connection to before a vote request, holding the node's lock:
    // an address that never answers (a dead container, a black-holed host) must not stall the
    // election for the 1 s default
    options.setRpcConnectTimeoutMs(Math.max(100, Math.min(1000, settings.electionTimeoutMs() / 5)));
    options.setSnapshotIntervalSecs(settings.snapshotIntervalSecs());
    options.setLogUri(new File(dir, "log").getPath());
    options.setRaftMetaUri(new File(dir, "meta").getPath());
    options.setSnapshotUri(new File(dir, "snapshot").getPath());
    // Several nodes in one JVM (tests) share timers instead of each starting its own pools.
    options.setSharedElectionTimer(true);
    options.setSharedVoteTimer(true);
    options.setSharedStepDownTimer(true);
    options.setSharedSnapshotTimer(true);
    options.setSharedTimerPool(true);
    RaftOptions raftOptions = new RaftOptions();
    raftOptions.setSync(true);
    // JRaft adds up to 1 s of random delay to every election timeout; half the timeout is
    // enough to break split votes on a LAN and keeps failover (timeout + delay) short
    raftOptions.setMaxElectionDelayMs(electionDelayMs(settings.electionTimeoutMs()));
    // RocksDB statistics (JRaft turns them on by default) cost CPU on every log write and are
    // read only by JRaft's SIGUSR2 dump; Roster exports its own metrics
    raftOptions.setOpenStatistics(false);
    options.setRaftOptions(raftOptions);

    group = new RaftGroupService(settings.groupId(), self, options);
    try {
      node = group.start();
    } catch (RuntimeException e) {
      cleanUpFailedStart();
      throw e;
    }
    if (node == null) {
      cleanUpFailedStart();
      throw new IllegalStateException(
          "Raft node did not start (is " + settings.self() + " free, is "
              + settings.dataDir() + " used by another node?)");
    }
    crashDetector = new CrashDetector(this, settings.electionTimeoutMs());
    crashDetector.start();
    timer.scheduleWithFixedDelay(neverThrowing("catch-up check", () -> {
      confirmCaughtUp();
      catchUpCommit();
    }), CATCH_UP_CHECK_MS, CATCH_UP_CHECK_MS, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(neverThrowing("snapshot check", this::snapshotIfReplayGrew), 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Operations per registered instance since the last snapshot beyond which a node takes one:
   * drawn anew after each snapshot between 2 and 3, so that the nodes, which apply the same
   * operations, do not all snapshot at the same moment (a commit needs the leader and one
   * follower that are not both busy writing a snapshot).
   */
  private volatile double snapshotOpsPerInstance = nextSnapshotOpsPerInstance();
  private volatile boolean opsSnapshotRunning;

  private static double nextSnapshotOpsPerInstance() {
    return 2 + ThreadLocalRandom.current().nextDouble();
  }

  /**
   * A restart replays every operation applied since the last snapshot: after an hour (the default
   * snapshot interval) of 1 000 000 instances renewing every 30 s that is 120 million renews,
   * minutes of replay. A snapshot costs about as much as loading it, in proportion to the
   * instances. So once the operations since the last snapshot exceed 2–3 times the instances
   * (and the {@code snapshot-ops} setting, 100 000 by default), the node takes one: replay stays
   * within a few seconds, and a registry renewing at 33 000/s writes its snapshot about once a
   * minute. Each node decides for itself (snapshots are local); the interval still applies to a
   * quiet registry.
   */
  private void snapshotIfReplayGrew() {
    Node n = node;
    long ops = fsm.opsSinceSnapshot();
    if (n == null || opsSnapshotRunning || ops < settings.snapshotOps()) {
      return;
    }
    long instances = fsm.read(r -> r.instanceCount());
    if (ops < snapshotOpsPerInstance * instances) {
      return;
    }
    opsSnapshotRunning = true;
    log.debug("snapshot: {} operations applied since the last one, {} instances", ops, instances);
    snapshot().whenComplete((v, e) -> {
      snapshotOpsPerInstance = nextSnapshotOpsPerInstance();
      opsSnapshotRunning = false;
      if (e != null) {
        log.debug("snapshot after {} operations not taken: {}", ops, e.getMessage());
      }
    });
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

  /**
   * Changes the election timeout of this node and the random delay JRaft adds to it (liveness
   * only; see {@link CrashDetector}). The delay is read each time the election timer is armed, and
   * the reset arms it, so both apply from the next timeout on.
   */
  void resetElectionTimeout(int timeoutMs, int maxDelayMs) {
    Node n = node;
    if (n != null && n.getOptions().getElectionTimeoutMs() != timeoutMs) {
      n.getOptions().getRaftOptions().setMaxElectionDelayMs(maxDelayMs);
      n.resetElectionTimeoutMs(timeoutMs);
    }
  }

  /** The random delay JRaft adds to every election timeout: half the timeout (see start). */
  static int electionDelayMs(int electionTimeoutMs) {
    return Math.max(100, electionTimeoutMs / 2);
  }

  /** RaftGroupService leaks a half-started node when start fails (port taken): release it. */
  private void cleanUpFailedStart() {
    Node leaked = group.getRaftNode();
    if (leaked != null) {
      leaked.shutdown();
      try {
        leaked.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      NodeManager.getInstance().remove(leaked);
    }
    group.shutdown();
  }

  public PeerId self() {
    return self;
  }

  public RegistryStateMachine stateMachine() {
    return fsm;
  }

  public boolean isLeader() {
    Node n = node;
    return n != null && n.isLeader();
  }

  /**
   * The leader as far as this node knows — except one whose process is known to be gone (its
   * Raft port refuses connections, see {@link CrashDetector}): writes are not redirected to a
   * dead node while the election that replaces it runs.
   */
  public Optional<PeerId> leader() {
    Optional<PeerId> leader = raftLeader();
    CrashDetector d = crashDetector;
    return leader.filter(l -> d == null || !l.equals(d.suspect()));
  }

  /** The leader JRaft reports, dead or alive. */
  Optional<PeerId> raftLeader() {
    Node n = node;
    PeerId leader = n == null ? null : n.getLeaderId();
    return leader == null || leader.isEmpty() ? Optional.empty() : Optional.of(leader);
  }

  /**
   * Proposes a write built from the leader's timestamp. Completes with the apply result once the
   * entry is committed and applied here, or exceptionally with {@link NotLeaderException} /
   * {@link UnavailableException}; never later than {@code timeoutMs}.
   */
  public <R> CompletableFuture<ApplyResult<R>> propose(
      LongFunction<? extends RegistryCommand<R>> command, long timeoutMs) {
    Node n = node;
    if (n == null || !n.isLeader()) {
      return CompletableFuture.failedFuture(
          new NotLeaderException(leader().orElse(null), "not the leader"));
    }
    ProposalClosure<R> closure = new ProposalClosure<>(command.apply(leaderTimestamp()));
    Task task = new Task(ByteBuffer.wrap(CommandCodec.encode(closure.command)), closure);
    n.apply(task);
    return closure.future
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, timeoutMs)));
  }

  /**
   * The leader's wall clock in Unix nanoseconds, never below a timestamp already applied: a new
   * leader whose clock is behind must not move renew timestamps backwards.
   */
  public long leaderTimestamp() {
    return Math.max(wallClockNanos(), fsm.lastAppliedTs());
  }

  /** This machine's wall clock in Unix nanoseconds, the unit of every registry timestamp. */
  public static long wallClockNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /**
   * Completes when this node has applied everything committed before the call (linearizable).
   *
   * <p>Concurrent reads share readIndex rounds: a read joins the next round that starts after it
   * arrived (never one already in flight, whose read point may predate a write the caller saw
   * complete), and at most {@value #READ_ROUNDS_IN_FLIGHT} rounds run at once. Under load this
   * turns thousands of readIndex RPCs to the leader into a few per round trip — without it the
   * leader's RPC pool overflows ("Server thread pool busy") and reads fail.
   */
  public CompletableFuture<Void> readIndex(long timeoutMs) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    synchronized (readRounds) {
      readersWaiting.add(future);
    }
    startReadRounds();
    return future
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, timeoutMs)));
  }

  private static final int READ_ROUNDS_IN_FLIGHT = 2;
  private final Object readRounds = new Object();
  private List<CompletableFuture<Void>> readersWaiting = new java.util.ArrayList<>();
  private int readRoundsInFlight;

  private void startReadRounds() {
    List<CompletableFuture<Void>> round;
    synchronized (readRounds) {
      if (readersWaiting.isEmpty() || readRoundsInFlight >= READ_ROUNDS_IN_FLIGHT) {
        return; // the round in flight starts the next one when it ends
      }
      round = readersWaiting;
      readersWaiting = new java.util.ArrayList<>();
      readRoundsInFlight++;
    }
    Node n = node;
    if (n == null) {
      endReadRound(round, new UnavailableException("node not started"));
      return;
    }
    try {
      n.readIndex(NO_CONTEXT, new ReadIndexClosure() {
        @Override
        public void run(Status status, long index, byte[] reqCtx) {
          endReadRound(round, status.isOk() ? null
              : new UnavailableException("consistent read failed: " + status.getErrorMsg()));
        }
      });
    } catch (RuntimeException e) {
      endReadRound(round, new UnavailableException("consistent read failed: " + e.getMessage()));
    }
  }

  private void endReadRound(List<CompletableFuture<Void>> round, RuntimeException failure) {
    synchronized (readRounds) {
      readRoundsInFlight--;
    }
    if (failure == null) {
      caughtUp = true;
    }
    for (CompletableFuture<Void> reader : round) {
      if (failure == null) {
        reader.complete(null);
      } else {
        reader.completeExceptionally(failure);
      }
    }
    startReadRounds();
  }

  /**
   * Completes with the leader as soon as one is known, or empty after {@code timeoutMs}: a write
   * arriving during an election waits for it instead of failing at once.
   */
  public CompletableFuture<Optional<PeerId>> awaitLeader(long timeoutMs) {
    Optional<PeerId> known = leader();
    if (known.isPresent() || timeoutMs <= 0) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<Optional<PeerId>> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      Optional<PeerId> leader = leader();
      if (leader.isPresent() || System.nanoTime() >= deadline) {
        result.complete(leader);
      } else {
        timer.schedule(check[0], 20, TimeUnit.MILLISECONDS);
      }
    };
    timer.schedule(check[0], 20, TimeUnit.MILLISECONDS);
    return result;
  }

  /** Completes with the first leader other than {@code previous}, or empty after the timeout. */
  public CompletableFuture<Optional<PeerId>> awaitLeaderOtherThan(PeerId previous, long timeoutMs) {
    CompletableFuture<Optional<PeerId>> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      Optional<PeerId> leader = leader().filter(l -> !l.equals(previous));
      if (leader.isPresent() || System.nanoTime() >= deadline) {
        result.complete(leader);
      } else {
        timer.schedule(check[0], 10, TimeUnit.MILLISECONDS);
      }
    };
    check[0].run();
    return result;
  }

  /** The failure a {@link CompletionException} wraps, or {@code e} itself. */
  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static Throwable translate(Throwable e, long timeoutMs) {
    Throwable cause = unwrap(e);
    if (cause instanceof TimeoutException) {
      return new UnavailableException("no quorum within " + timeoutMs + " ms");
    }
    return cause;
  }

  /**
   * True when a leader is known, this node has {@linkplain #caughtUp() caught up} since it
   * started, and it has applied everything it knows is committed.
   */
  public boolean isReady() {
    Node n = node;
    return n != null && fsm.error() == null && caughtUp && leader().isPresent()
        && n.getLastAppliedLogIndex() >= n.getLastCommittedIndex();
  }

  public ClusterStatus status() {
    Node n = node;
    if (n == null) {
      return new ClusterStatus(self.toString(), "stopped", fsm.term(), null, 0, 0, 0,
          settings.peers(), List.of(), fsm.error());
    }
    State state = n.getNodeState();
    if (!state.isActive()) {
      // JRaft refuses index queries once it stopped (error state after a storage failure, or
      // shutting down): report what the state machine applied, and the error
      long applied = fsm.appliedIndex();
      return new ClusterStatus(self.toString(), role(state), fsm.term(), null, applied, applied, applied,
          fsm.peers().isEmpty() ? settings.peers() : fsm.peers(), fsm.learners(), fsm.error());
    }
    return new ClusterStatus(
        self.toString(),
        role(state),
        fsm.term(),
        leader().map(PeerId::toString).orElse(null),
        n.getLastLogIndex(),
        n.getLastCommittedIndex(),
        n.getLastAppliedLogIndex(),
        // only a leader may list the members; others know the last committed configuration
        n.isLeader() ? n.listPeers().stream().map(PeerId::toString).toList()
            : fsm.peers().isEmpty() ? settings.peers() : fsm.peers(),
        n.isLeader() ? n.listLearners().stream().map(PeerId::toString).toList() : fsm.learners(),
        fsm.error());
  }

  /**
   * On the leader, the Raft endpoints ({@code host:port}) of the members and learners that
   * answered it within the leader lease (90 % of an election timeout), itself included, and of
   * every member and learner; empty when this node does not lead.
   */
  public Optional<Membership> membership() {
    Node n = node;
    if (n == null || !n.isLeader()) {
      return Optional.empty();
    }
    try {
      Set<String> alive = new HashSet<>();
      Set<String> all = new HashSet<>();
      n.listAlivePeers().forEach(p -> alive.add(p.getEndpoint().toString()));
      n.listAliveLearners().forEach(p -> alive.add(p.getEndpoint().toString()));
      n.listPeers().forEach(p -> all.add(p.getEndpoint().toString()));
      n.listLearners().forEach(p -> all.add(p.getEndpoint().toString()));
      return Optional.of(new Membership(all, alive));
    } catch (IllegalStateException stepped) {
      return Optional.empty(); // JRaft refuses these once it no longer leads
    }
  }

  /** The JRaft node (tests that need to drive JRaft directly). */
  Node jraftNode() {
    return node;
  }

  private static String role(State state) {
    return switch (state) {
      case STATE_LEADER, STATE_TRANSFERRING -> "leader";
      case STATE_FOLLOWER -> "follower";
      case STATE_CANDIDATE -> "candidate";
      case STATE_ERROR -> "error";
      default -> "stopped";
    };
  }

  /** Asks JRaft for a snapshot now (tests, operators); completes when it is written. */
  public CompletableFuture<Void> snapshot() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Node n = node;
    if (n == null) {
      return CompletableFuture.failedFuture(new UnavailableException("node not started"));
    }
    n.snapshot(status -> {
      if (status.isOk()) {
        f.complete(null);
      } else {
        f.completeExceptionally(new UnavailableException("snapshot failed: " + status.getErrorMsg()));
      }
    });
    return f;
  }

  /** Adds a voting member; completes when the configuration change is committed. */
  public CompletableFuture<Void> addPeer(PeerId peer, long timeoutMs) {
    return membershipChange("add " + peer, (n, done) -> n.addPeer(peer, done), timeoutMs);
  }

  /** Removes a member; completes when the configuration change is committed. */
  public CompletableFuture<Void> removePeer(PeerId peer, long timeoutMs) {
    return membershipChange("remove " + peer, (n, done) -> n.removePeer(peer, done), timeoutMs);
  }

  private CompletableFuture<Void> membershipChange(
      String what, java.util.function.BiConsumer<Node, com.alipay.sofa.jraft.Closure> change, long timeoutMs) {
    Node n = node;
    if (n == null || !n.isLeader()) {
      return CompletableFuture.failedFuture(new NotLeaderException(leader().orElse(null), "not the leader"));
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    java.util.function.Consumer<Status> onDone = status -> {
      if (status.isOk()) {
        log.info("membership change committed: {}", what);
        f.complete(null);
      } else if (status.getRaftError() == RaftError.EPERM) {
        f.completeExceptionally(new NotLeaderException(null, status.getErrorMsg()));
      } else {
        f.completeExceptionally(new MembershipException(what + " failed: " + status.getErrorMsg()));
      }
    };
    try {
      change.accept(n, onDone::accept);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // JRaft refuses some changes synchronously (e.g. removing a peer that is not a member)
      f.completeExceptionally(new MembershipException(what + " refused: " + e.getMessage()));
    }
    return f.orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, timeoutMs)));
  }

  /** Where JRaft keeps this node's snapshots ({@code snapshot_<index>} directories). */
  public java.nio.file.Path snapshotDirectory() {
    return settings.dataDir().resolve("snapshot");
  }

  /** Forces this node's membership (majority lost for good); see the operations guide. */
  public Status resetPeers(List<PeerId> peers) {
    Node n = node;
    if (n == null) {
      return new Status(RaftError.EINVAL, "node not started");
    }
    Configuration conf = new Configuration();
    peers.forEach(conf::addPeer);
    log.warn("membership forcibly reset to {} by an operator", peers);
    return n.resetPeers(conf);
  }

  /**
   * True when some other member's Raft port does not refuse connections, so it may be running
   * and could take over; false when every other member's process is known to be gone.
   */
  public boolean anotherMemberMayBeUp() {
    return status().peers().stream().map(RaftRegistry::parsePeer)
        .anyMatch(p -> !p.equals(self) && !CrashDetector.refusesConnections(p));
  }

  /** Hands leadership to {@code peer} (or any follower when null). */
  public Status transferLeadership(PeerId peer) {
    Node n = node;
    if (n == null || !n.isLeader()) {
      return new Status(RaftError.EPERM, "not the leader");
    }
    return n.transferLeadershipTo(peer == null ? PeerId.ANY_PEER : peer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (crashDetector != null) {
      crashDetector.close();
    }
    if (group != null) {
      group.shutdown();
      try {
        group.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      group = null;
    }
    node = null;
    log.debug("raft node {} stopped", self);
  }
}
