package dev.roster.node.raft;

import static dev.roster.node.util.Concurrency.daemonThreads;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.CodecException;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.model.AppKey;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.LogPosition;
import dev.roster.node.model.Registry;
import dev.roster.node.model.RegistryView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated registry: decodes each committed entry, applies it to the {@link Registry} and
 * hands the result to the proposer. It never reads a clock and never draws random numbers; the
 * leader stamped both into the command.
 *
 * <p>Readers on other threads go through {@link #read}, which holds a read lock; one batch of
 * entries is applied under one write-lock acquisition.
 */
public final class RegistryStateMachine extends StateMachineAdapter {
  private static final Logger log = LoggerFactory.getLogger(RegistryStateMachine.class);
  static final String SNAPSHOT_FILE = "registry.snap";

  private final GuardPolicy policy;
  private final Predicate<AppKey> guarded;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final List<ApplyListener> applyListeners = new CopyOnWriteArrayList<>();
  private final List<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService snapshotWriter =
      Executors.newSingleThreadExecutor(daemonThreads("roster-snapshot-writer"));

  private Registry registry;
  // written on JRaft's state-machine thread only
  private volatile long opsSinceSnapshot;
  private volatile long appliedIndex;
  private volatile long lastAppliedTs;
  private volatile long term;
  private volatile boolean leader;
  private volatile String error;
  private final LongAdder evicted = new LongAdder();
  private final LongAdder leaderChanges = new LongAdder();
  private volatile String lastLeader = "";
  private volatile List<String> peers = List.of();
  private volatile List<String> learners = List.of();

  public RegistryStateMachine(GuardPolicy policy) {
    this(policy, key -> true);
  }

  /**
   * @param guarded the applications self-protection counts (see {@link Registry})
   */
  public RegistryStateMachine(GuardPolicy policy, Predicate<AppKey> guarded) {
    this.policy = policy;
    this.guarded = guarded;
    this.registry = new Registry(policy, guarded);
  }

  public void addApplyListener(ApplyListener listener) {
    applyListeners.add(listener);
  }

  public void addLeadershipListener(LeadershipListener listener) {
    leadershipListeners.add(listener);
  }

  /** Runs a read against the current registry under the read lock; only commands write. */
  public <T> T read(Function<RegistryView, T> reader) {
    lock.readLock().lock();
    try {
      return reader.apply(registry);
    } finally {
      lock.readLock().unlock();
    }
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  /**
   * The digest of the whole registry and the index it was applied up to, read together under the
   * read lock (so the pair is consistent). Costs one pass over the registry.
   */
  public RegistryDigest digest() {
    lock.readLock().lock();
    try {
      return RegistryDigest.of(registry, appliedIndex, lastAppliedTs);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The largest command timestamp applied: a new leader never stamps below it. */
  public long lastAppliedTs() {
    return lastAppliedTs;
  }

  public long term() {
    return term;
  }

  public boolean isLeader() {
    return leader;
  }

  /** Why the state machine stopped, or null while it is healthy. */
  public String error() {
    return error;
  }

  /**
   * Operations applied since the last snapshot was captured or loaded — what a restart would replay
   * from the log: one per entry, one per renew of a batch, one per eviction target.
   */
  public long opsSinceSnapshot() {
    return opsSinceSnapshot;
  }

  /**
   * Decodes (or, on the leader, takes from the closure) each entry, applies it, records what it
   * changed, and completes its closure. Nothing here knows one command type from another: each
   * command applies itself and reports its value, changed applications and replay weight.
   */
  @Override
  public void onApply(Iterator iter) {
    List<ProposalClosure<?>> completed = new ArrayList<>();
    Set<AppKey> changed = new HashSet<>();
    lock.writeLock().lock();
    try {
      while (iter.hasNext()) {
        Closure done = iter.done();
        ProposalClosure<?> proposal = done instanceof ProposalClosure<?> p ? p : null;
        RegistryCommand<?> command = proposal != null ? proposal.command : decode(iter);
        ApplyResult<?> result = command == null ? null : apply(iter, command, proposal);
        if (result == null) {
          break; // the entry failed the state machine: nothing after it may be applied
        }
        changed.addAll(result.changed());
        opsSinceSnapshot += result.replayWeight();
        evicted.add(result.evicted());
        lastAppliedTs = Math.max(lastAppliedTs, command.ts());
        appliedIndex = iter.getIndex();
        if (proposal != null) {
          completed.add(proposal);
        } else if (done != null) {
          done.run(Status.OK());
        }
        iter.next();
      }
    } finally {
      lock.writeLock().unlock();
    }
    // entries applied before a failed one stay applied: their proposers get their answers
    completed.forEach(p -> p.run(Status.OK()));
    applyListeners.forEach(l -> l.onApplied(changed));
  }

  /** The entry's command, or null when it cannot be decoded (the state machine then stops). */
  private RegistryCommand<?> decode(Iterator iter) {
    try {
      return CommandCodec.decode(iter.getData());
    } catch (CodecException e) {
      // Skipping an entry would let this replica diverge from the others: stop instead.
      fail(iter, "undecodable entry %d: %s", e);
      return null;
    }
  }

  /** The command's result, or null when applying it threw (the state machine then stops). */
  private ApplyResult<?> apply(
      Iterator iter, RegistryCommand<?> command, ProposalClosure<?> proposal) {
    try {
      LogPosition at = new LogPosition(iter.getIndex(), iter.getTerm());
      return proposal != null ? proposal.applyTo(registry, at) : command.applyTo(registry, at);
    } catch (RuntimeException e) {
      // JRaft would only log an exception escaping onApply and go on with the next entry, on a
      // registry the failed command may have half changed: this replica would diverge
      fail(iter, "cannot apply entry %d (" + command.type() + "): %s", e);
      return null;
    }
  }

  /** Stops the state machine at the current entry; JRaft fails its closure and all after it. */
  private static void fail(Iterator iter, String format, RuntimeException cause) {
    Status error = new Status(RaftError.ESTATEMACHINE, format, iter.getIndex(), cause.getMessage());
    log.error("state machine stopped: {}", error.getErrorMsg(), cause);
    iter.setErrorAndRollback(1, error);
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    RegistrySnapshot snapshot = RegistrySnapshot.capture(registry, lastAppliedTs);
    opsSinceSnapshot = 0;
    long index = appliedIndex;
    snapshotWriter.execute(
        () -> {
          try {
            long start = System.nanoTime();
            snapshot.writeTo(Path.of(writer.getPath(), SNAPSHOT_FILE));
            if (!writer.addFile(SNAPSHOT_FILE)) {
              done.run(new Status(RaftError.EIO, "cannot add snapshot file to the snapshot meta"));
              return;
            }
            log.info(
                "snapshot at index {} saved: {} instances in {} ms",
                index,
                snapshot.instanceCount(),
                (System.nanoTime() - start) / 1_000_000);
            done.run(Status.OK());
          } catch (Exception e) {
            log.error("snapshot at index {} failed", index, e);
            done.run(new Status(RaftError.EIO, "snapshot save failed: %s", e));
          }
        });
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    if (reader.getFileMeta(SNAPSHOT_FILE) == null) {
      log.error("snapshot in {} has no {}", reader.getPath(), SNAPSHOT_FILE);
      return false;
    }
    try {
      long start = System.nanoTime();
      RegistrySnapshot snapshot =
          RegistrySnapshot.readFrom(Path.of(reader.getPath(), SNAPSHOT_FILE));
      long read = System.nanoTime();
      Registry restored = snapshot.restore(policy, guarded);
      lock.writeLock().lock();
      try {
        registry = restored;
        opsSinceSnapshot = 0;
        lastAppliedTs = snapshot.lastAppliedTs();
        appliedIndex = reader.load().getLastIncludedIndex();
      } finally {
        lock.writeLock().unlock();
      }
      log.info(
          "snapshot at index {} loaded: {} instances in {} ms (file read in {} ms)",
          appliedIndex,
          snapshot.instanceCount(),
          (System.nanoTime() - start) / 1_000_000,
          (read - start) / 1_000_000);
      applyListeners.forEach(l -> l.onApplied(null));
      return true;
    } catch (Exception e) {
      log.error("cannot load snapshot from {}", reader.getPath(), e);
      return false;
    }
  }

  /** Instances removed by eviction on this node since it started (the same on every node). */
  public long evictedTotal() {
    return evicted.sum();
  }

  /** How many times this node saw the leader change since it started. */
  public long leaderChanges() {
    return leaderChanges.sum();
  }

  private void leaderIs(String leaderId) {
    if (!leaderId.equals(lastLeader)) {
      lastLeader = leaderId;
      leaderChanges.increment();
    }
  }

  @Override
  public void onLeaderStart(long term) {
    this.term = term;
    this.leader = true;
    leaderIs("self@" + term);
    log.info("became leader, term {}", term);
    leadershipListeners.forEach(l -> l.onLeaderStart(term));
  }

  @Override
  public void onLeaderStop(Status status) {
    this.leader = false;
    log.info(
        "stepped down as leader: {}", status.getErrorMsg() == null ? status : status.getErrorMsg());
    leadershipListeners.forEach(LeadershipListener::onLeaderStop);
  }

  @Override
  public void onStartFollowing(LeaderChangeContext ctx) {
    this.term = ctx.getTerm();
    leaderIs(ctx.getLeaderId() + "@" + ctx.getTerm());
    log.info("following leader {}, term {}", ctx.getLeaderId(), ctx.getTerm());
  }

  /** Followers cannot ask JRaft for the peer list; the committed configuration tells every node. */
  @Override
  public void onConfigurationCommitted(Configuration conf) {
    peers = conf.getPeers().stream().map(PeerId::toString).toList();
    learners = conf.getLearners().stream().map(PeerId::toString).toList();
  }

  /** The members as of the last committed configuration (empty until one is known). */
  public List<String> peers() {
    return peers;
  }

  public List<String> learners() {
    return learners;
  }

  @Override
  public void onError(RaftException e) {
    error = e.getStatus() == null ? String.valueOf(e) : e.getStatus().getErrorMsg();
    log.error("raft node stopped with an error: {}", error);
  }

  @Override
  public void onShutdown() {
    snapshotWriter.shutdown();
  }
}
