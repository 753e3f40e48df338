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
   * As {@link #submit(ApiRequest, LongFunction, Function)}, {@code elsewhere} when another leads.
   */
  <R> CompletableFuture<Reply> submit(
      ApiRequest request,
      LongFunction<? extends RegistryCommand<R>> command,
      Function<ApplyResult<R>, Reply> onResult,
      Elsewhere elsewhere) {
    return onLeader(
        request,
        remainingMs -> raft.writes().propose(command, remainingMs).thenApply(onResult),
        elsewhere);
  }

  /**
   * Runs {@code action} (given the milliseconds left of the budget) if this node leads; otherwise
   * redirects to the leader or waits for one, as for every write.
   */
  CompletableFuture<Reply> onLeader(
      ApiRequest request, LongFunction<CompletableFuture<Reply>> action) {
    return onLeader(
        request,
        action,
        (r, leaderUrl, ms) -> CompletableFuture.completedFuture(redirect(r, leaderUrl)));
  }

  /** What a write does when another node leads: given the leader's base URL and the ms left. */
  @FunctionalInterface
  interface Elsewhere {
    CompletableFuture<Reply> atLeader(ApiRequest request, String leaderUrl, long remainingMs);
  }

  /**
   * As {@link #onLeader(ApiRequest, LongFunction)}, but when another node leads {@code elsewhere}
   * answers instead of a redirect (the Eureka API forwards, because its clients do not follow
   * redirects).
   */
  CompletableFuture<Reply> onLeader(
      ApiRequest request, LongFunction<CompletableFuture<Reply>> action, Elsewhere elsewhere) {
    long deadline = System.nanoTime() + budgetMs * 1_000_000;
    return route(request, action, elsewhere, deadline, true);
  }

  private CompletableFuture<Reply> route(
      ApiRequest request,
      LongFunction<CompletableFuture<Reply>> action,
      Elsewhere elsewhere,
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
                  return route(request, action, elsewhere, deadline, false);
                }
                return CompletableFuture.failedFuture(cause);
              });
    }
    // a leader that is handing over still names itself: treat that like an election
    Optional<NodeId> leader = raft.leadership().leader().filter(l -> !l.equals(raft.self()));
    if (leader.isPresent()) {
      return elsewhere.atLeader(request, leaderUrl(request, leader.get()), remainingMs);
    }
    if (!mayWait) {
      return CompletableFuture.failedFuture(new UnavailableException("no leader elected"));
    }
    return raft.leadership()
        .awaitLeader(Math.min(electionTimeoutMs, remainingMs))
        .thenCompose(
            elected ->
                elected.isPresent()
                    ? route(request, action, elsewhere, deadline, false)
                    : CompletableFuture.failedFuture(
                        new UnavailableException(
                            "no leader elected within " + electionTimeoutMs + " ms")));
  }

  /** The leader's base URL on the network the caller reached this node on. */
  private String leaderUrl(ApiRequest request, NodeId leader) {
    return directory
        .httpAddressOf(leader, directory.reachedInside(request.host()))
        .orElseThrow(
            () ->
                new UnavailableException(
                    "leader " + leader + " has not announced its HTTP address yet"));
  }

  private static Reply redirect(ApiRequest request, String url) {
    return new Reply(
        Code.NOT_LEADER,
        "not the leader; retry on " + url,
        Map.of("leader", url),
        Map.of("Location", url + request.uri()));
  }
}
