package dev.roster.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.cluster.PeerDirectory;
import dev.roster.node.cluster.PeerLink;
import dev.roster.node.metrics.Metrics;
import dev.roster.node.raft.AdminOutcome;
import dev.roster.node.raft.ClusterStatus;
import dev.roster.node.raft.NodeId;
import dev.roster.node.raft.RaftRegistry;
import dev.roster.node.raft.RegistryDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Liveness, readiness, Raft status and the node list. */
final class ClusterApi {
  /** A new member may need a snapshot before the change commits: allow it time. */
  private static final long MEMBERSHIP_TIMEOUT_MS = 30_000;

  private final RaftRegistry raft;
  private final PeerDirectory directory;
  private final WriteGate writes;
  private final Metrics metrics;
  private final String advertise;
  private final long listingGraceNanos;
  private volatile long caughtUpSeenNanos;
  private final ClusterMembers members;

  ClusterApi(
      RaftRegistry raft,
      PeerDirectory directory,
      WriteGate writes,
      Metrics metrics,
      String advertise,
      ObjectMapper json,
      PeerLink peers) {
    this.raft = raft;
    this.directory = directory;
    this.writes = writes;
    this.metrics = metrics;
    this.advertise = advertise;
    // twice a write's budget: an announcement is a write sent once the leader's address is known
    this.listingGraceNanos = TimeUnit.MILLISECONDS.toNanos(2 * writes.budgetMs());
    this.members = new ClusterMembers(this::statusData, directory, json, peers);
  }

  void routes(Router router) {
    router
        .get("/health", req -> done(Reply.ok(Map.of("status", "up"))))
        .get("/ready", this::ready)
        .get("/cluster/status", this::status)
        .get("/cluster/members", members::members)
        .get("/cluster/digest", this::digest)
        .get(
            "/discovery/nodes",
            req ->
                done(
                    Reply.ok(
                        directory.nodes(
                            raft.writes().clock().unixNanos(),
                            directory.reachedInside(req.host())))))
        .get(
            "/metrics",
            req ->
                done(
                    Reply.ok(
                        RawBody.text(
                            "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()))))
        .post("/cluster/peers/add", this::addPeer)
        .post("/cluster/peers/remove", this::removePeer)
        .post("/cluster/transfer-leader", this::transferLeader)
        .post("/cluster/snapshot", this::snapshot)
        .post("/cluster/peers/reset", this::resetPeers);
  }

  /** Takes a snapshot of this node's registry now (before a backup, or to compact the log). */
  private CompletableFuture<Reply> snapshot(ApiRequest req) {
    long index = raft.stateMachine().appliedIndex();
    return raft.admin()
        .snapshot()
        .thenApply(
            v -> {
              Map<String, Object> data = new LinkedHashMap<>();
              data.put("applied_index", index);
              data.put("snapshot_dir", raft.admin().snapshotDirectory().toString());
              return Reply.ok(data);
            });
  }

  /**
   * Disaster recovery when a majority is lost for good: forces THIS node's membership to the given
   * peers (e.g. itself alone), so it can elect a leader without the lost ones. Unsafe by nature —
   * writes acknowledged only by the lost nodes are gone — hence the explicit {@code confirm=unsafe}
   * parameter. Sent to each survivor, never redirected.
   */
  private CompletableFuture<Reply> resetPeers(ApiRequest req) {
    Params p = req.params();
    if (!"unsafe".equals(p.optional("confirm"))) {
      throw ApiException.badParam(
          "confirm", "must be 'unsafe': resetting membership can lose acknowledged writes");
    }
    List<NodeId> peers = new ArrayList<>();
    for (String text : p.requiredList("peers")) {
      for (String one : text.split(",")) {
        if (!one.isBlank()) {
          peers.add(peer(one));
        }
      }
    }
    if (peers.stream().noneMatch(x -> x.equals(raft.self()))) {
      throw ApiException.badParam("peers", "must include this node (" + raft.self() + ")");
    }
    AdminOutcome s = raft.admin().resetPeers(peers);
    if (!s.ok()) {
      throw new ApiException(Code.BAD_REQUEST, "cannot reset peers: " + s.message());
    }
    return done(Reply.ok(Map.of("peers", peers.stream().map(NodeId::toString).toList())));
  }

  private CompletableFuture<Reply> addPeer(ApiRequest req) {
    NodeId peer = peer(req.params().required("peer"));
    return writes.onLeader(
        req,
        ms ->
            raft.admin()
                .addPeer(peer, MEMBERSHIP_TIMEOUT_MS)
                .thenApply(v -> Reply.ok(Map.of("peers", raft.stateMachine().peers()))));
  }

  private CompletableFuture<Reply> removePeer(ApiRequest req) {
    NodeId peer = peer(req.params().required("peer"));
    return writes.onLeader(
        req,
        ms ->
            raft.admin()
                .removePeer(peer, MEMBERSHIP_TIMEOUT_MS)
                .thenApply(v -> Reply.ok(Map.of("peers", raft.stateMachine().peers()))));
  }

  /** Hands leadership over and answers once another node leads (or the budget ends: -503). */
  private CompletableFuture<Reply> transferLeader(ApiRequest req) {
    String target = req.params().optional("peer");
    NodeId peer = target == null || target.isBlank() ? null : peer(target);
    if (peer != null && peer.equals(raft.self()) && raft.leadership().isLeader()) {
      return done(Reply.ok(Map.of("leader", raft.self().toString())));
    }
    return writes.onLeader(
        req,
        ms -> {
          AdminOutcome s = raft.admin().transferLeadership(peer);
          if (!s.ok()) {
            // busy: a configuration change or another transfer is in progress; worth retrying
            Code code = s.busy() ? Code.UNAVAILABLE : Code.BAD_REQUEST;
            throw new ApiException(code, "cannot transfer leadership: " + s.message());
          }
          return raft.leadership()
              .awaitLeaderOtherThan(raft.self(), ms)
              .thenApply(
                  l ->
                      l.map(p -> Reply.ok(Map.of("leader", p.toString())))
                          .orElseGet(
                              () ->
                                  Reply.of(
                                      Code.UNAVAILABLE,
                                      "leadership transfer did not complete within "
                                          + ms
                                          + " ms")));
        });
  }

  private NodeId peer(String text) {
    try {
      return NodeId.parse(text.trim());
    } catch (IllegalArgumentException e) {
      throw ApiException.badParam("peer", "must be a host:port Raft address, got '" + text + "'");
    }
  }

  private CompletableFuture<Reply> ready(ApiRequest req) {
    return done(readiness());
  }

  /** The answer of {@code /ready}: OK when this node serves, else 503 saying why not. */
  private Reply readiness() {
    if (raft.isReady()) {
      List<String> unlisted = directory.unlistedMembers();
      if (unlisted.isEmpty() || listingGraceOver()) {
        return Reply.ok(Map.of("ready", true));
      }
      return new Reply(
          Code.UNAVAILABLE,
          "not ready: members " + unlisted + " have not announced " + "their addresses yet",
          Map.of("ready", false),
          Map.of());
    }
    ClusterStatus s = raft.status();
    String why =
        s.error() != null
            ? "state machine failed: " + s.error()
            : s.leader() == null
                ? "no leader known"
                : !raft.reads().caughtUp()
                    ? "not yet caught up with the leader since start"
                    : "applied index "
                        + s.appliedIndex()
                        + " behind committed "
                        + s.committedIndex();
    return new Reply(Code.UNAVAILABLE, "not ready: " + why, Map.of("ready", false), Map.of());
  }

  /**
   * A member that has not announced itself within this long of this node being caught up is taken
   * to be down (a cluster started without one of its nodes) and no longer holds readiness back.
   */
  private boolean listingGraceOver() {
    long now = System.nanoTime();
    if (caughtUpSeenNanos == 0) {
      caughtUpSeenNanos = now;
    }
    return now - caughtUpSeenNanos >= listingGraceNanos;
  }

  /** A fingerprint of this node's registry at its applied index: equal on replicas that agree. */
  private CompletableFuture<Reply> digest(ApiRequest req) {
    RegistryDigest d = raft.stateMachine().digest();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("applied_index", d.appliedIndex());
    data.put("digest", d.sha256());
    data.put("applications", d.applications());
    data.put("instances", d.instances());
    return done(Reply.ok(data));
  }

  private CompletableFuture<Reply> status(ApiRequest req) {
    return done(Reply.ok(statusData()));
  }

  /** This node's {@code /cluster/status} data. */
  private Map<String, Object> statusData() {
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
    data.put("ready", readiness().code() == Code.OK);
    data.put("last_contact_ms", s.lastContactMs());
    return data;
  }

  private static CompletableFuture<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }
}
