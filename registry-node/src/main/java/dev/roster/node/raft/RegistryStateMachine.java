package dev.roster.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.CodecException;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.EvictCommand;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.command.RenewBatchCommand;
import dev.roster.node.model.AppKey;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.Instance;
import dev.roster.node.model.Registry;
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
      Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "roster-snapshot-writer");
        t.setDaemon(true);
        return t;
      });

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

  /** @param guarded the applications self-protection counts (see {@link Registry}) */
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

  /** Runs a read against the current registry under the read lock. */
  public <T> T read(Function<Registry, T> reader) {
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
   * Operations applied since the last snapshot was captured or loaded — what a restart would
   * replay from the log: one per entry, one per renew of a batch, one per evicted instance.
   */
  public long opsSinceSnapshot() {
    return opsSinceSnapshot;
  }

  @Override
  public void onApply(Iterator iter) {
    List<ProposalClosure> completed = new ArrayList<>();
    Set<AppKey> changed = new HashSet<>();
    lock.writeLock().lock();
    try {
      while (iter.hasNext()) {
        Closure done = iter.done();
        RegistryCommand command;
        if (done instanceof ProposalClosure proposal) {
          command = proposal.command;
        } else {
          try {
            command = CommandCodec.decode(iter.getData());
          } catch (CodecException e) {
            // Skipping an entry would let this replica diverge from the others: stop instead.
            log.error("undecodable log entry at index {}: {}", iter.getIndex(), e.getMessage());
            iter.setErrorAndRollback(
                1, new Status(RaftError.ESTATEMACHINE, "undecodable entry %d: %s",
                    iter.getIndex(), e.getMessage()));
            return;
          }
        }
        ApplyResult result = command.applyTo(registry);
        if (command.type() == RegistryCommand.Type.EVICT && result.value() instanceof List<?> gone) {
          evicted.add(gone.size());
        }
        collectChanged(command, result, changed);
        opsSinceSnapshot += 1 + (command instanceof RenewBatchCommand b ? b.renews().size() - 1
            : command instanceof EvictCommand e ? e.targets().size() : 0);
        lastAppliedTs = Math.max(lastAppliedTs, command.ts());
        appliedIndex = iter.getIndex();
        if (done instanceof ProposalClosure proposal) {
          proposal.setResult(result);
          completed.add(proposal);
        } else if (done != null) {
          done.run(Status.OK());
        }
        iter.next();
      }
    } finally {
      lock.writeLock().unlock();
    }
    completed.forEach(p -> p.run(Status.OK()));
    applyListeners.forEach(l -> l.onApplied(changed));
  }

  private static void collectChanged(RegistryCommand c, ApplyResult r, Set<AppKey> changed) {
    if (!r.isOk()) {
      return;
    }
    switch (c.type()) {
      case REGISTER, CANCEL, SET -> changed.add(((Instance) firstInstance(r.value())).appKey());
      case EVICT -> {
        @SuppressWarnings("unchecked")
        List<Instance> evicted = (List<Instance>) r.value();
        evicted.forEach(i -> changed.add(i.appKey()));
      }
      case RENEW, RENEW_BATCH -> {
        // a renew changes nothing fetchers see; pollers are not woken by heartbeats
      }
      default -> throw new IllegalStateException("unhandled " + c.type());
    }
  }

  private static Object firstInstance(Object value) {
    return value instanceof List<?> list ? list.get(0) : value;
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    RegistrySnapshot snapshot = RegistrySnapshot.capture(registry, lastAppliedTs);
    opsSinceSnapshot = 0;
    long index = appliedIndex;
    snapshotWriter.execute(() -> {
      try {
        long start = System.nanoTime();
        snapshot.writeTo(Path.of(writer.getPath(), SNAPSHOT_FILE));
        if (!writer.addFile(SNAPSHOT_FILE)) {
          done.run(new Status(RaftError.EIO, "cannot add snapshot file to the snapshot meta"));
          return;
        }
        log.info("snapshot at index {} saved: {} instances in {} ms",
            index, snapshot.instanceCount(), (System.nanoTime() - start) / 1_000_000);
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
      RegistrySnapshot snapshot = RegistrySnapshot.readFrom(Path.of(reader.getPath(), SNAPSHOT_FILE));
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
      log.info("snapshot at index {} loaded: {} instances in {} ms (file read in {} ms)", appliedIndex,
          snapshot.instanceCount(), (System.nanoTime() - start) / 1_000_000, (read - start) / 1_000_000);
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
    log.info("stepped down as leader: {}", status.getErrorMsg() == null ? status : status.getErrorMsg());
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
