package dev.roster.node.raft;

import static dev.roster.node.model.Status.UP;
import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.RegisterCommand;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.InstanceSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader clock and the leader wait, driven by hand on a node that is not started. */
class ProposerTest {
  private final AtomicLong clockNanos = new AtomicLong(1_000);
  private final RegistryStateMachine fsm = new RegistryStateMachine(GuardPolicy.DEFAULT);
  private final RaftNode raft =
      new RaftNode(
          new RaftSettings(
              "test",
              "127.0.0.1:7999",
              List.of("127.0.0.1:7999"),
              Path.of("unused"),
              1000,
              3600,
              100_000,
              false),
          fsm,
          RaftStorage.standard());
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final LeaderTracker leadership =
      new LeaderTracker(raft, new CrashDetector(raft, 1000), timer);
  private final Proposer proposer = new Proposer(raft, fsm, leadership, clockNanos::get);

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void theLeaderTimestampIsTheInjectedClock() {
    assertThat(proposer.leaderTimestamp()).isEqualTo(1_000);
    clockNanos.set(5_000);
    assertThat(proposer.leaderTimestamp()).isEqualTo(5_000);
  }

  @Test
  void aClockBehindWhatWasAppliedDoesNotMoveTimestampsBackwards() {
    apply(
        new RegisterCommand(
            9_000,
            new InstanceSpec(
                "z", "dev", "app", "h1", List.of("http://10.0.0.1:80"), "", UP, Map.of())));
    assertThat(proposer.leaderTimestamp()).isEqualTo(9_000);
    clockNanos.set(12_000);
    assertThat(proposer.leaderTimestamp()).isEqualTo(12_000);
  }

  @Test
  void aNodeThatIsNotStartedRefusesProposalsAsNotLeader() {
    Throwable failure = proposer.propose(ts -> null, 1000).handle((v, e) -> e).join();
    assertThat(failure).isInstanceOf(NotLeaderException.class);
    assertThat(((NotLeaderException) failure).leader()).isNull();
  }

  @Test
  void bothLeaderWaitsEndEmptyAtTheirTimeoutWhenNoLeaderIsKnown() {
    assertThat(leadership.awaitLeader(30).join()).isEmpty();
    assertThat(leadership.awaitLeaderOtherThan(NodeId.parse("127.0.0.1:7999"), 30).join())
        .isEmpty();
    assertThat(leadership.awaitLeader(0).join()).isEmpty();
  }

  private void apply(RegistryCommand command) {
    ByteBuffer entry = ByteBuffer.wrap(CommandCodec.encode(command));
    fsm.onApply(
        new Iterator() {
          private boolean done;

          @Override
          public boolean hasNext() {
            return !done;
          }

          @Override
          public ByteBuffer next() {
            done = true;
            return null;
          }

          @Override
          public ByteBuffer getData() {
            return entry;
          }

          @Override
          public long getIndex() {
            return 1;
          }

          @Override
          public long getTerm() {
            return 1;
          }

          @Override
          public Closure done() {
            return null;
          }

          @Override
          public void setAutoCommitPerLog(boolean b) {}

          @Override
          public boolean commit() {
            return false;
          }

          @Override
          public void commitAndSnapshotSync(Closure closure) {}

          @Override
          public void setErrorAndRollback(long ntail, Status st) {}
        });
  }
}
