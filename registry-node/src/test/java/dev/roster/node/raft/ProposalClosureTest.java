package dev.roster.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ClosureQueueImpl;
import com.alipay.sofa.jraft.error.RaftError;
import dev.roster.node.command.CancelCommand;
import dev.roster.node.model.InstanceKey;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How a failed proposal is reported decides whether the write gate may send the client to the new
 * leader (307): only when the write surely never entered the log.
 */
class ProposalClosureTest {

  private static ProposalClosure proposal() {
    return new ProposalClosure(new CancelCommand(1, new InstanceKey("prod", "app", "h1")));
  }

  private static Throwable failure(ProposalClosure p) throws Exception {
    try {
      p.future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the proposal did not fail");
  }

  /**
   * Regression: a leader that stepped down with this proposal pending answered 307, the client sent
   * the write again, and when the first copy committed under the new leader too the write was
   * applied twice — a cancel then answered -404 for the instance it had just removed.
   */
  @Test
  void proposalPendingWhenTheLeaderStepsDownHasAnUnknownOutcomeNotARedirect() throws Exception {
    // exactly what JRaft does on step-down: fail everything queued in the ballot box
    ClosureQueueImpl queue = new ClosureQueueImpl("roster-test");
    ProposalClosure p = proposal();
    queue.appendPendingClosure(p);
    queue.clear();

    Throwable cause = failure(p);
    assertThat(cause)
        .isInstanceOf(UnavailableException.class)
        .isNotInstanceOf(NotLeaderException.class);
    assertThat(cause.getMessage()).isEqualTo(ProposalClosure.OUTCOME_UNKNOWN);
  }

  @Test
  void proposalRefusedBeforeEnteringTheLogIsNotLeader() throws Exception {
    ProposalClosure p = proposal();
    p.run(new Status(RaftError.EPERM, "Is not leader."));
    assertThat(failure(p)).isInstanceOf(NotLeaderException.class);
  }

  @Test
  void otherFailuresAreUnavailable() throws Exception {
    ProposalClosure p = proposal();
    p.run(new Status(RaftError.EBUSY, "Is transferring leadership."));
    assertThat(failure(p))
        .isInstanceOf(UnavailableException.class)
        .hasMessage("write not committed: Is transferring leadership.");
  }
}
