package dev.roster.node.cluster;

import com.alipay.sofa.jraft.entity.PeerId;
import dev.roster.node.model.Application;
import dev.roster.node.model.Instance;
import dev.roster.node.model.Status;
import dev.roster.node.raft.RaftRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where the nodes' HTTP addresses come from. As in Bilibili discovery, every node registers
 * itself in the registry it serves, as application {@value #APPID} (env {@value #ENV}), with its
 * Raft address as hostname and its advertised HTTP URL as address. The table is therefore
 * replicated like any other data and every node can redirect writes to the leader.
 */
public final class PeerDirectory {
  public static final String APPID = "infra.discovery";
  public static final String ENV = "infra";

  private final RaftRegistry raft;
  private final long staleAfterNanos;

  /** A node whose self-registration is older than {@code staleAfterNanos} is reported lost. */
  public PeerDirectory(RaftRegistry raft, long staleAfterNanos) {
    this.raft = raft;
    this.staleAfterNanos = staleAfterNanos;
  }

  /** The advertised HTTP base URL of the node with this Raft address, if it has registered. */
  public Optional<String> httpAddressOf(PeerId peer) {
    String hostname = peer.getEndpoint().toString();
    return raft.stateMachine().read(r -> r.application(ENV, APPID)
        .map(app -> app.instance(hostname))
        .filter(i -> !i.addrs().isEmpty())
        .map(i -> i.addrs().get(0)));
  }

  public Optional<String> leaderHttpAddress() {
    return raft.leader().flatMap(this::httpAddressOf);
  }

  /** Metadata key of the URL nodes use among themselves when it differs from the advertised one. */
  public static final String CLUSTER_URL = "cluster_url";

  /** The URL this node uses to reach the leader: its cluster URL, else its advertised URL. */
  public Optional<String> leaderClusterAddress() {
    return raft.leader().flatMap(peer -> raft.stateMachine().read(r -> r.application(ENV, APPID)
        .map(app -> app.instance(peer.getEndpoint().toString()))
        .map(i -> i.metadata().getOrDefault(CLUSTER_URL, i.addrs().isEmpty() ? null : i.addrs().get(0)))));
  }

  /** One row of {@code /discovery/nodes}. */
  public record NodeView(String addr, String zone, int status, String role, String raft) {}

  /** The registered nodes, the current members first, with their liveness and role. */
  public List<NodeView> nodes(long nowNanos) {
    String leader = raft.leader().map(p -> p.getEndpoint().toString()).orElse("");
    List<String> members = raft.status().peers();
    List<NodeView> rows = new ArrayList<>();
    raft.stateMachine().read(r -> {
      Optional<Application> app = r.application(ENV, APPID);
      app.ifPresent(a -> {
        for (Instance i : a.instances()) {
          boolean member = members.stream().anyMatch(m -> sameEndpoint(m, i.hostname()));
          boolean fresh = nowNanos - i.renewTimestamp() <= staleAfterNanos;
          // not UP: the leader does not hear from it (see NodeLiveness)
          boolean up = i.status() == Status.UP;
          rows.add(new NodeView(
              hostPort(i.addrs().isEmpty() ? "" : i.addrs().get(0)),
              i.zone(),
              member && fresh && up ? 0 : 1,
              leader.equals(i.hostname()) ? "leader" : "follower",
              i.hostname()));
        }
      });
      return null;
    });
    rows.sort(Comparator.comparing(NodeView::raft));
    return rows;
  }

  /**
   * The current members that have no entry yet. Right after a cluster starts the followers
   * announce themselves a moment after the leader is known; a node that said it was ready then
   * would give a bootstrapping client a list of one node.
   */
  public List<String> unlistedMembers() {
    List<String> members = raft.status().peers();
    return raft.stateMachine().read(r -> {
      Optional<Application> app = r.application(ENV, APPID);
      return members.stream()
          .filter(m -> app.map(a -> a.instances().stream().noneMatch(i -> sameEndpoint(m, i.hostname())))
              .orElse(true))
          .toList();
    });
  }

  private static boolean sameEndpoint(String peer, String endpoint) {
    return peer.equals(endpoint) || peer.startsWith(endpoint + ":");
  }

  private static String hostPort(String url) {
    try {
      URI u = URI.create(url);
      return u.getHost() == null ? url : u.getHost() + ":" + u.getPort();
    } catch (IllegalArgumentException e) {
      return url;
    }
  }
}
