package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Linearizable reads: concurrent callers share JRaft readIndex rounds.
 *
 * <p>A read joins the next round that starts after it arrived (never one already in flight, whose
 * read point may predate a write the caller saw complete), and at most {@value
 * #READ_ROUNDS_IN_FLIGHT} rounds run at once. Under load this turns thousands of readIndex RPCs to
 * the leader into a few per round trip — without it the leader's RPC pool overflows ("Server thread
 * pool busy") and reads fail.
 */
final class ReadIndexRounds {
  static final byte[] NO_CONTEXT = new byte[0];
  private static final int READ_ROUNDS_IN_FLIGHT = 2;

  private final RaftNode raft;
  private final Object lock = new Object();
  private List<CompletableFuture<Void>> readersWaiting = new ArrayList<>();
  private int roundsInFlight;
  // set by the first round that succeeds after start (see StartupCatchUp)
  private volatile boolean succeeded;

  ReadIndexRounds(RaftNode raft) {
    this.raft = raft;
  }

  /** Completes when this node has applied everything committed before the call. */
  CompletableFuture<Void> readIndex(long timeoutMs) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    synchronized (lock) {
      readersWaiting.add(future);
    }
    startRounds();
    return RaftFutures.within(future, timeoutMs);
  }

  /** True once a round has succeeded since this node started. */
  boolean succeededOnce() {
    return succeeded;
  }

  private void startRounds() {
    List<CompletableFuture<Void>> round;
    synchronized (lock) {
      if (readersWaiting.isEmpty() || roundsInFlight >= READ_ROUNDS_IN_FLIGHT) {
        return; // the round in flight starts the next one when it ends
      }
      round = readersWaiting;
      readersWaiting = new ArrayList<>();
      roundsInFlight++;
    }
    Node n = raft.node();
    if (n == null) {
      endRound(round, new UnavailableException("node not started"));
      return;
    }
    try {
      n.readIndex(
          NO_CONTEXT,
          new ReadIndexClosure() {
            @Override
            public void run(Status status, long index, byte[] reqCtx) {
              endRound(
                  round,
                  status.isOk()
                      ? null
                      : new UnavailableException(
                          "consistent read failed: " + status.getErrorMsg()));
            }
          });
    } catch (RuntimeException e) {
      endRound(round, new UnavailableException("consistent read failed: " + e.getMessage()));
    }
  }

  private void endRound(List<CompletableFuture<Void>> round, RuntimeException failure) {
    synchronized (lock) {
      roundsInFlight--;
    }
    if (failure == null) {
      succeeded = true;
    }
    for (CompletableFuture<Void> reader : round) {
      if (failure == null) {
        reader.complete(null);
      } else {
        reader.completeExceptionally(failure);
      }
    }
    startRounds();
  }
}
