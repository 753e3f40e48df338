package dev.roster.node.raft;

import static dev.roster.node.model.Status.UP;
import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.CancelCommand;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.EurekaRegisterCommand;
import dev.roster.node.command.EurekaStatusCommand;
import dev.roster.node.command.EvictCommand;
import dev.roster.node.command.RegisterCommand;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.command.RenewBatchCommand;
import dev.roster.node.command.RenewCommand;
import dev.roster.node.model.AppKey;
import dev.roster.node.model.EurekaFields;
import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The state machine without Raft: entries are fed through a hand-made iterator. */
class RegistryStateMachineTest {
  private final RegistryStateMachine fsm = new RegistryStateMachine(GuardPolicy.DEFAULT);

  private static InstanceSpec spec(String host) {
    return new InstanceSpec(
        "z", "dev", "app", host, List.of("http://10.0.0.1:80"), "", UP, Map.of());
  }

  /** A batch of log entries as JRaft hands them over: bytes, and on the leader a closure. */
  private static final class Entries implements com.alipay.sofa.jraft.Iterator {
    final List<ByteBuffer> data = new ArrayList<>();
    final List<Closure> closures = new ArrayList<>();
    int position;
    Status error;
    long rolledBack = -1;

    Entries add(byte[] bytes, Closure done) {
      data.add(ByteBuffer.wrap(bytes));
      closures.add(done);
      return this;
    }

    Entries add(RegistryCommand<?> c) {
      return add(CommandCodec.encode(c), null);
    }

    @Override
    public boolean hasNext() {
      return error == null && position < data.size();
    }

    @Override
    public ByteBuffer next() {
      position++;
      return null;
    }

    @Override
    public ByteBuffer getData() {
      return data.get(position);
    }

    @Override
    public long getIndex() {
      return position + 1;
    }

    @Override
    public long getTerm() {
      return 1;
    }

    @Override
    public Closure done() {
      return closures.get(position);
    }

    @Override
    public void setAutoCommitPerLog(boolean b) {}

    @Override
    public boolean commit() {
      return false;
    }

    @Override
    public void commitAndSnapshotSync(Closure done) {}

    @Override
    public void setErrorAndRollback(long ntail, Status st) {
      error = st;
      rolledBack = ntail;
    }
  }

  @Test
  void followerEntriesAreDecodedAndAppliedInOrder() {
    fsm.onApply(
        new Entries()
            .add(new RegisterCommand(10, spec("h1")))
            .add(new RegisterCommand(11, spec("h2")))
            .add(new CancelCommand(12, new InstanceKey("dev", "app", "h1"))));

    assertThat(fsm.<Long>read(r -> r.instanceCount())).isEqualTo(1L);
    assertThat(fsm.<Instance>read(r -> r.application("dev", "app").orElseThrow().instance("h2")))
        .isNotNull();
    assertThat(fsm.appliedIndex()).isEqualTo(3);
    assertThat(fsm.lastAppliedTs()).isEqualTo(12);
  }

  @Test
  void theProposerIsAnsweredWithTheTypedResultWithoutDecodingAgain() {
    ProposalClosure<Instance> register = new ProposalClosure<>(new RegisterCommand(20, spec("h1")));
    ProposalClosure<Instance> unknown =
        new ProposalClosure<>(new RenewCommand(21, new InstanceKey("dev", "app", "nope")));
    // the leader's closure carries the command: the bytes are not even read
    fsm.onApply(new Entries().add(new byte[] {99}, register).add(new byte[] {99}, unknown));

    ApplyResult<Instance> r = register.future.join();
    assertThat(r.isOk()).isTrue();
    assertThat(r.value().regTimestamp()).isEqualTo(20);
    assertThat(unknown.future.join().code()).isEqualTo(ApplyResult.Code.NOT_FOUND);
  }

  @Test
  void anUndecodableEntryStopsTheStateMachineInsteadOfBeingSkipped() {
    Entries entries =
        new Entries()
            .add(new RegisterCommand(30, spec("h1")))
            .add(new byte[] {1, 42, 0}, null) // unknown command type
            .add(new RegisterCommand(31, spec("h2")));

    fsm.onApply(entries);

    assertThat(entries.error).isNotNull();
    assertThat(entries.error.getErrorMsg()).contains("undecodable entry 2");
    assertThat(entries.rolledBack).isEqualTo(1);
    // the entry after the bad one was not applied: this replica cannot diverge silently
    assertThat(fsm.<Long>read(r -> r.instanceCount())).isEqualTo(1L);
    assertThat(fsm.appliedIndex()).isEqualTo(1);
  }

  @Test
  void listenersHearWhichApplicationsChangedAndNoApplicationForRenews() {
    List<Set<AppKey>> heard = new CopyOnWriteArrayList<>();
    fsm.addApplyListener(heard::add);
    fsm.onApply(new Entries().add(new RegisterCommand(40, spec("h1"))));
    fsm.onApply(new Entries().add(new RenewCommand(41, new InstanceKey("dev", "app", "h1"))));

    // a renew changes nothing pollers see: the listener is told of the batch with no application
    assertThat(heard).containsExactly(Set.of(new AppKey("dev", "app")), Set.of());
  }

  @Test
  void aCommandThatThrowsWhileApplyingStopsTheStateMachineInsteadOfEscapingToJRaft() {
    // the guard predicate runs inside Registry.register, after the application was created: a
    // half-applied command, which JRaft would only log before applying the next entry
    RegistryStateMachine failing =
        new RegistryStateMachine(
            GuardPolicy.DEFAULT,
            key -> {
              if (key.appid().equals("bad")) {
                throw new IllegalStateException("boom");
              }
              return true;
            });
    ProposalClosure<Instance> before = new ProposalClosure<>(new RegisterCommand(50, spec("h1")));
    ProposalClosure<Instance> bad =
        new ProposalClosure<>(
            new RegisterCommand(
                51, new InstanceSpec("z", "dev", "bad", "h1", List.of(), "", UP, Map.of())));
    List<Set<AppKey>> heard = new CopyOnWriteArrayList<>();
    failing.addApplyListener(heard::add);
    Entries entries =
        new Entries()
            .add(new byte[] {99}, before)
            .add(new byte[] {99}, bad)
            .add(new RegisterCommand(52, spec("h2")));

    failing.onApply(entries);

    assertThat(entries.error).isNotNull();
    assertThat(entries.error.getErrorMsg()).contains("cannot apply entry 2").contains("boom");
    assertThat(entries.rolledBack).isEqualTo(1);
    assertThat(failing.appliedIndex()).isEqualTo(1);
    assertThat(failing.lastAppliedTs()).isEqualTo(50);
    // the entry after the failed one was not applied
    assertThat(
            failing.<Boolean>read(
                r -> r.application("dev", "app").orElseThrow().instance("h2") == null))
        .isTrue();
    // the entry applied before the failure is answered; JRaft fails the closures from the bad one
    assertThat(before.future.join().value().hostname()).isEqualTo("h1");
    assertThat(bad.future).isNotDone();
    assertThat(heard).containsExactly(Set.of(new AppKey("dev", "app")));
  }

  @Test
  void replayWeightAndEvictionsAreCountedFromEachCommandsResult() {
    fsm.onApply(
        new Entries()
            .add(new RegisterCommand(60, spec("h1")))
            .add(new RegisterCommand(60, spec("h2")))
            .add(new RenewCommand(61, new InstanceKey("dev", "app", "nope")))
            .add(
                new RenewBatchCommand(
                    62,
                    List.of(
                        new InstanceKey("dev", "app", "h1"),
                        new InstanceKey("dev", "app", "h2"),
                        new InstanceKey("dev", "app", "h9"))))
            .add(
                new EvictCommand(
                    70,
                    List.of(
                        new EvictTarget(new InstanceKey("dev", "app", "h1"), 62),
                        new EvictTarget(new InstanceKey("dev", "app", "h2"), 1)),
                    false)));

    // one per entry, one per renew of a batch, one per eviction target
    assertThat(fsm.opsSinceSnapshot()).isEqualTo(1 + 1 + 1 + 3 + (1 + 2));
    assertThat(fsm.evictedTotal()).isEqualTo(1);
  }

  @Test
  void eurekaEntriesOfFormat3AreDecodedAndAppliedOnAFollowerAndTheirProposersAnswered() {
    InstanceSpec eureka =
        new InstanceSpec(
            "",
            "z",
            "dev",
            "app",
            "h1",
            List.of("http://10.0.0.1:80"),
            "",
            UP,
            Map.of(),
            new Lease(5_000, 15_000),
            Map.of(EurekaFields.STATUS, "UP"));
    InstanceKey h1 = new InstanceKey("dev", "app", "h1");
    ProposalClosure<Instance> unknown =
        new ProposalClosure<>(
            new EurekaStatusCommand(84, new InstanceKey("dev", "app", "nope"), null));
    List<Set<AppKey>> heard = new CopyOnWriteArrayList<>();
    fsm.addApplyListener(heard::add);

    fsm.onApply(
        new Entries()
            .add(new EurekaRegisterCommand(80, eureka))
            .add(new EurekaStatusCommand(81, h1, "OUT_OF_SERVICE"))
            .add(new EurekaRegisterCommand(82, eureka))
            .add(new byte[] {99}, unknown));

    Instance stored = fsm.read(r -> r.instance(h1).orElseThrow());
    assertThat(stored.status()).isEqualTo(dev.roster.node.model.Status.WAITING);
    assertThat(stored.extensions()).containsEntry(EurekaFields.OVERRIDDEN_STATUS, "OUT_OF_SERVICE");
    assertThat(stored.lease()).isEqualTo(new Lease(5_000, 15_000));
    assertThat(fsm.<Long>read(r -> r.expectedRenews())).isEqualTo(12L);
    assertThat(fsm.appliedIndex()).isEqualTo(4);
    assertThat(unknown.future.join().code()).isEqualTo(ApplyResult.Code.NOT_FOUND);
    assertThat(heard).containsExactly(Set.of(new AppKey("dev", "app")));
  }
}
