package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.entity.Task;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.RegistryCommand;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/** Proposes writes to JRaft on the leader, each stamped with the leader clock. */
final class Proposer implements Writes {
  private final RaftNode raft;
  private final RegistryStateMachine fsm;
  private final Leadership leadership;
  private final LeaderClock clock;

  Proposer(RaftNode raft, RegistryStateMachine fsm, Leadership leadership, LeaderClock clock) {
    this.raft = raft;
    this.fsm = fsm;
    this.leadership = leadership;
    this.clock = clock;
  }

  @Override
  public <R> CompletableFuture<ApplyResult<R>> propose(
      LongFunction<? extends RegistryCommand<R>> command, long timeoutMs) {
    Node n = raft.node();
    if (n == null || !n.isLeader()) {
      return CompletableFuture.failedFuture(
          new NotLeaderException(leadership.leader().orElse(null), "not the leader"));
    }
    ProposalClosure<R> closure = new ProposalClosure<>(command.apply(leaderTimestamp()));
    Task task = new Task(ByteBuffer.wrap(CommandCodec.encode(closure.command)), closure);
    n.apply(task);
    return RaftFutures.within(closure.future, timeoutMs);
  }

  @Override
  public long leaderTimestamp() {
    return Math.max(clock.unixNanos(), fsm.lastAppliedTs());
  }

  @Override
  public LeaderClock clock() {
    return clock;
  }
}
