package dev.roster.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.model.LogPosition;
import dev.roster.node.model.Registry;
import java.util.concurrent.CompletableFuture;

/**
 * Carries a proposed command to the leader's state machine (so it is not decoded again there) and
 * the proposer's future back out. JRaft runs it with an error status when the entry can no longer
 * commit under this leader.
 */
final class ProposalClosure<R> implements Closure {
  /** JRaft's message when a leader steps down with proposals pending (ClosureQueueImpl.clear). */
  static final String LEADER_STEPPED_DOWN = "Leader stepped down";

  static final String OUTCOME_UNKNOWN =
      "leadership lost before the write was confirmed; the new leader may still apply it";

  final RegistryCommand<R> command;
  final CompletableFuture<ApplyResult<R>> future = new CompletableFuture<>();
  private volatile ApplyResult<R> result;

  ProposalClosure(RegistryCommand<R> command) {
    this.command = command;
  }

  /** Applies the proposed command and keeps its result for {@link #run}. */
  ApplyResult<R> applyTo(Registry registry, LogPosition at) {
    ApplyResult<R> applied = command.applyTo(registry, at);
    this.result = applied;
    return applied;
  }

  @Override
  public void run(Status status) {
    if (status.isOk()) {
      future.complete(result);
    } else if (status.getRaftError() == RaftError.EPERM
        && LEADER_STEPPED_DOWN.equals(status.getErrorMsg())) {
      // JRaft fails every proposal still waiting in the ballot box when the leader steps down,
      // whether or not the entry reached a majority: the next leader may still commit it. Sending
      // the client to that leader (307) would make it apply the write a second time (a cancel
      // would then answer -404 for the instance it just removed). Say the outcome is unknown.
      future.completeExceptionally(new UnavailableException(OUTCOME_UNKNOWN));
    } else if (status.getRaftError() == RaftError.EPERM) {
      // "Is not leader." / expected term mismatch: refused before it entered the log, safe to
      // reroute
      future.completeExceptionally(new NotLeaderException(null, status.getErrorMsg()));
    } else {
      future.completeExceptionally(
          new UnavailableException("write not committed: " + status.getErrorMsg()));
    }
  }
}
