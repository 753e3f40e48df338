package dev.roster.node.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checkers must accept correct histories and catch each kind of anomaly they claim to. */
class LinearizabilityTest {
  private static final String H = "c0-k0";
  private final List<Op> ops = new ArrayList<>();
  private long ids;

  private Op op(
      String kind,
      long invoke,
      long complete,
      String outcome,
      Integer status,
      String tag,
      Map<String, Op.Obs> obs) {
    Op op =
        new Op(
            ++ids,
            1,
            0,
            kind,
            "chaos.r1",
            kind.equals(Op.CREAD) ? null : H,
            0,
            status,
            tag,
            invoke,
            complete,
            outcome,
            outcome.equals(Op.UNKNOWN) ? -503 : 0,
            "",
            obs,
            null,
            null);
    ops.add(op);
    return op;
  }

  private void register(long a, long b, String outcome, String tag, int status) {
    op(
        Op.REGISTER,
        a,
        b,
        outcome,
        status,
        tag,
        outcome.equals(Op.OK) ? Map.of(H, new Op.Obs(tag, status, "")) : null);
  }

  private void read(long a, long b, Op.Obs seen) {
    op(Op.CREAD, a, b, Op.OK, null, null, seen == null ? Map.of() : Map.of(H, seen));
  }

  private boolean linearizable() {
    return Linearizability.check(H, ops, 1_000_000).linearizable();
  }

  @Test
  void sequentialRegisterReadCancelReadIsLinearizable() {
    register(0, 10, Op.OK, "o1", 1);
    read(20, 30, new Op.Obs("o1", 1, ""));
    op(Op.CANCEL, 40, 50, Op.OK, null, null, null);
    read(60, 70, null);
    assertThat(linearizable()).isTrue();
  }

  @Test
  void readMissingAnAcknowledgedRegisterIsNot() {
    register(0, 10, Op.OK, "o1", 1);
    read(20, 30, null);
    assertThat(linearizable()).isFalse();
  }

  @Test
  void readOverlappingTheRegisterMaySeeEitherState() {
    register(0, 100, Op.OK, "o1", 1);
    read(10, 20, null);
    read(30, 40, new Op.Obs("o1", 1, ""));
    assertThat(linearizable()).isTrue();
  }

  @Test
  void aReadCannotGoBackInTime() {
    register(0, 100, Op.OK, "o1", 1);
    read(10, 20, new Op.Obs("o1", 1, ""));
    read(30, 40, null);
    assertThat(linearizable()).isFalse();
  }

  @Test
  void anUnknownCancelMayApplyLateOrNever() {
    register(0, 10, Op.OK, "o1", 1);
    op(Op.CANCEL, 20, 30, Op.UNKNOWN, null, null, null);
    read(40, 50, new Op.Obs("o1", 1, ""));
    read(60, 70, null);
    assertThat(linearizable()).isTrue();
    read(80, 90, new Op.Obs("o1", 1, ""));
    assertThat(linearizable()).as("an instance cannot come back without a register").isFalse();
  }

  @Test
  void aCancelAnsweredNotFoundWhileTheInstanceExistedIsCaught() {
    // the double-apply pattern: the cancel removed the instance, then was retried and got -404
    register(0, 10, Op.OK, "o1", 1);
    op(Op.CANCEL, 20, 30, Op.NOT_FOUND, null, null, null);
    read(40, 50, null);
    assertThat(linearizable()).isFalse();
  }

  @Test
  void aStaleSetIsCaught() {
    register(0, 10, Op.OK, "o1", 1);
    op(Op.SET, 20, 30, Op.OK, 2, "o2", null);
    op(Op.SET, 40, 50, Op.OK, 1, "o3", null);
    read(60, 70, new Op.Obs("o1", 2, "o2"));
    assertThat(linearizable()).isFalse();
  }

  @Test
  void renewShowsTheCurrentInstance() {
    register(0, 10, Op.OK, "o1", 1);
    op(Op.SET, 20, 30, Op.OK, 2, "o2", null);
    op(Op.RENEW, 40, 50, Op.OK, null, null, Map.of(H, new Op.Obs("o1", 2, "o2")));
    assertThat(linearizable()).isTrue();
    op(Op.RENEW, 60, 70, Op.OK, null, null, Map.of(H, new Op.Obs("o1", 1, "")));
    assertThat(linearizable()).isFalse();
  }

  @Test
  void hundredsOfConcurrentOperationsAreCheckedQuickly() {
    // a correct register: each op takes effect at a random instant inside its interval
    Random random = new Random(7);
    Linearizability.State state = null;
    long t = 0;
    for (int i = 0; i < 600; i++) {
      long invoke = t + random.nextInt(50);
      long at = invoke + 1 + random.nextInt(200);
      long complete = at + 1 + random.nextInt(200);
      t = at; // effects in order, intervals overlapping
      int dice = random.nextInt(10);
      if (dice < 3) {
        state = new Linearizability.State("o" + i, 1, "");
        register(invoke, complete, Op.OK, "o" + i, 1);
      } else if (dice < 4) {
        op(Op.CANCEL, invoke, complete, state == null ? Op.NOT_FOUND : Op.OK, null, null, null);
        state = null;
      } else if (dice < 5) {
        op(Op.CANCEL, invoke, complete, Op.UNKNOWN, null, null, null);
        state = null;
      } else {
        read(
            invoke,
            complete,
            state == null ? null : new Op.Obs(state.version(), state.status(), state.meta()));
      }
    }
    long start = System.nanoTime();
    Linearizability.Result r = Linearizability.check(H, ops, 5_000_000);
    assertThat(r.linearizable()).isTrue();
    assertThat((System.nanoTime() - start) / 1_000_000).as("ms").isLessThan(5000);
  }

  @Test
  void roundChecksReportLostAcknowledgedRegisterAndPhantoms() {
    register(0, 10, Op.OK, "o1", 1);
    op(Op.RENEW, 20, 30, Op.OK, null, null, Map.of(H, new Op.Obs("o1", 1, "")));
    Op last =
        new Op(
            ++ids,
            1,
            -1,
            Op.CREAD,
            "chaos.r1",
            null,
            0,
            null,
            null,
            40,
            50,
            Op.NOT_FOUND,
            -404,
            "",
            null,
            null,
            null);
    ops.add(last);
    Op phantom =
        new Op(
            ++ids,
            1,
            0,
            Op.SREAD,
            "chaos.r1",
            null,
            1,
            null,
            null,
            5,
            6,
            Op.OK,
            0,
            "",
            Map.of(H, new Op.Obs("o99", 1, "")),
            1L,
            null);
    ops.add(phantom);
    List<Anomaly> found = new RoundChecks(1, ops, List.of(H), 20_000_000_000L).run();
    assertThat(found)
        .extracting(Anomaly::kind)
        .contains(Anomaly.LOST_ACK, Anomaly.NONLINEARIZABLE, Anomaly.PHANTOM);
  }

  @Test
  void anInstanceWithoutRenewsForLongerThanExpiryMayBeEvicted() {
    long s = 1_000_000_000L;
    register(0, 10, Op.OK, "o1", 1);
    read(30 * s, 30 * s + 10, null);
    List<Anomaly> found = new RoundChecks(1, ops, List.of(H), 20 * s).run();
    assertThat(found).isEmpty();
  }
}
