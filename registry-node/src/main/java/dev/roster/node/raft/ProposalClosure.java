package dev.roster.node.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.RegistryCommand;
import java.util.concurrent.CompletableFuture;

/**
 * Carries a proposed command to the leader's state machine (so it is not decoded again there) and
 * the proposer's future back out. JRaft runs it with an error status when the entry can no longer
 * commit under this leader.
 */
final class ProposalClosure implements Closure {
  final RegistryCommand command;
  final CompletableFuture<ApplyResult> future = new CompletableFuture<>();
  private volatile ApplyResult result;

  ProposalClosure(RegistryCommand command) {
    this.command = command;
  }

  void setResult(ApplyResult result) {
    this.result = result;
  }

  @Override
  public void run(Status status) {
    if (status.isOk()) {
      future.complete(result);
    } else if (status.getRaftError() == RaftError.EPERM) {
      future.completeExceptionally(new NotLeaderException(null, status.getErrorMsg()));
    } else {
      future.completeExceptionally(
          new UnavailableException("write not committed: " + status.getErrorMsg()));
    }
  }
}
