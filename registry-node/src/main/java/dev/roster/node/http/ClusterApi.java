package dev.roster.node.http;

import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.raft.ClusterStatus;
import dev.roster.node.raft.RaftRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Liveness, readiness, Raft status and the node list. */
final class ClusterApi {
  private final RaftRegistry raft;
  private final PeerDirectory directory;
  private final String advertise;

  ClusterApi(RaftRegistry raft, PeerDirectory directory, String advertise) {
    this.raft = raft;
    this.directory = directory;
    this.advertise = advertise;
  }

  void routes(Router router) {
    router.get("/health", req -> done(Reply.ok(Map.of("status", "up"))))
        .get("/ready", this::ready)
        .get("/cluster/status", this::status)
        .get("/discovery/nodes", req -> done(Reply.ok(directory.nodes(RaftRegistry.wallClockNanos()))));
  }

  private CompletableFuture<Reply> ready(ApiRequest req) {
    if (raft.isReady()) {
      return done(Reply.ok(Map.of("ready", true)));
    }
    ClusterStatus s = raft.status();
    String why = s.error() != null ? "state machine failed: " + s.error()
        : s.leader() == null ? "no leader known"
        : "applied index " + s.appliedIndex() + " behind committed " + s.committedIndex();
    return done(new Reply(Code.UNAVAILABLE, "not ready: " + why, Map.of("ready", false), Map.of()));
  }

  private CompletableFuture<Reply> status(ApiRequest req) {
    ClusterStatus s = raft.status();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("id", s.id());
    data.put("http", advertise);
    data.put("role", s.role());
    data.put("term", s.term());
    data.put("leader", s.leader());
    data.put("leader_http", directory.leaderHttpAddress().orElse(null));
    data.put("last_log_index", s.lastLogIndex());
    data.put("committed_index", s.committedIndex());
    data.put("applied_index", s.appliedIndex());
    data.put("peers", s.peers());
    data.put("learners", s.learners());
    data.put("error", s.error());
    return done(Reply.ok(data));
  }

  private static CompletableFuture<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }
}
