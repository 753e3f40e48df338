package dev.roster.node.http;

import static dev.roster.node.util.Concurrency.unwrap;

import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.command.ApplyResult;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.raft.NodeId;
import dev.roster.node.raft.NotLeaderException;
import dev.roster.node.raft.RaftRegistry;
import dev.roster.node.raft.UnavailableException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Where a write goes: proposed here when this node leads, redirected (307) to the leader's HTTP
 * address when another node leads, held for at most one election timeout while there is no leader.
 * Whatever happens, the caller has an answer within election timeout + 1 s.
 */
final class WriteGate {
  private final RaftRegistry raft;
  private final PeerDirectory directory;
  private final long electionTimeoutMs;
  private final long budgetMs;

  WriteGate(RaftRegistry raft, PeerDirectory directory, long electionTimeoutMs) {
    this.raft = raft;
    this.directory = directory;
    this.electionTimeoutMs = electionTimeoutMs;
    this.budgetMs = electionTimeoutMs + 1000;
  }

  long budgetMs() {
    return budgetMs;
  }

  /** A registry write: proposed on the leader, its apply result turned into a reply. */
  <R> CompletableFuture<Reply> submit(
      ApiRequest request,
      LongFunction<? extends RegistryCommand<R>> command,
      Function<ApplyResult<R>, Reply> onResult) {
    return onLeader(
        request, remainingMs -> raft.writes().propose(command, remainingMs).thenApply(onResult));
  }

  /**
   * Runs {@code action} (given the milliseconds left of the budget) if this node leads; otherwise
   * redirects to the leader or waits for one, as for every write.
   */
  CompletableFuture<Reply> onLeader(
      ApiRequest request, LongFunction<CompletableFuture<Reply>> action) {
    long deadline = System.nanoTime() + budgetMs * 1_000_000;
    return route(request, action, deadline, true);
  }

  private CompletableFuture<Reply> route(
      ApiRequest request,
      LongFunction<CompletableFuture<Reply>> action,
      long deadline,
      boolean mayWait) {
    long remainingMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    if (raft.leadership().isLeader()) {
      return action
          .apply(remainingMs)
          .exceptionallyCompose(
              e -> {
                Throwable cause = unwrap(e);
                if (cause instanceof NotLeaderException && mayWait) {
                  // lost leadership between the check and the apply: route again, once
                  return route(request, action, deadline, false);
                }
                return CompletableFuture.failedFuture(cause);
              });
    }
    // a leader that is handing over still names itself: treat that like an election
    Optional<NodeId> leader = raft.leadership().leader().filter(l -> !l.equals(raft.self()));
    if (leader.isPresent()) {
      return CompletableFuture.completedFuture(redirect(request, leader.get()));
    }
    if (!mayWait) {
      return CompletableFuture.failedFuture(new UnavailableException("no leader elected"));
    }
    return raft.leadership()
        .awaitLeader(Math.min(electionTimeoutMs, remainingMs))
        .thenCompose(
            elected ->
                elected.isPresent()
                    ? route(request, action, deadline, false)
                    : CompletableFuture.failedFuture(
                        new UnavailableException(
                            "no leader elected within " + electionTimeoutMs + " ms")));
  }

  private Reply redirect(ApiRequest request, NodeId leader) {
    Optional<String> url = directory.httpAddressOf(leader, directory.reachedInside(request.host()));
    if (url.isEmpty()) {
      throw new UnavailableException(
          "leader " + leader + " has not announced its HTTP address yet");
    }
    return new Reply(
        Code.NOT_LEADER,
        "not the leader; retry on " + url.get(),
        Map.of("leader", url.get()),
        Map.of("Location", url.get() + request.uri()));
  }
}
