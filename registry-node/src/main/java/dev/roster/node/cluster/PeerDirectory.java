package dev.roster.node.cluster;

import dev.roster.node.model.Application;
import dev.roster.node.model.Instance;
import dev.roster.node.model.Status;
import dev.roster.node.raft.NodeId;
import dev.roster.node.raft.RaftRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where the nodes' HTTP addresses come from. As in Bilibili discovery, every node registers itself
 * in the registry it serves, as application {@value #APPID} (env {@value #ENV}), with its Raft
 * address as hostname and its advertised HTTP URL as address. The table is therefore replicated
 * like any other data and every node can redirect writes to the leader.
 */
public final class PeerDirectory {
  public static final String APPID = "infra.discovery";
  public static final String ENV = "infra";

  private final RaftRegistry raft;
  private final long staleAfterNanos;

  /**
   * {@code host:port} of this node's cluster URL when it differs from the advertised one, else
   * null.
   */
  private final String insideAuthority;

  /**
   * A node whose self-registration is older than {@code staleAfterNanos} is reported lost. {@code
   * clusterUrl} and {@code advertise} are this node's two URLs: the one the nodes use among
   * themselves (inside a compose network: {@code http://node1:7171}) and the one for clients
   * (published on the host: {@code http://127.0.0.1:7171}); often the same.
   */
  public PeerDirectory(
      RaftRegistry raft, long staleAfterNanos, String clusterUrl, String advertise) {
    this.raft = raft;
    this.staleAfterNanos = staleAfterNanos;
    this.insideAuthority = clusterUrl.equals(advertise) ? null : authority(clusterUrl);
  }

  /**
   * True when a request sent to {@code host} (its {@code Host} header) reached this node by its
   * cluster URL: the caller is inside the nodes' own network (a service in the same compose
   * network), where the advertised addresses may lead nowhere, so it is answered with the other
   * nodes' cluster URLs.
   */
  public boolean reachedInside(String host) {
    return insideAuthority != null && host != null && insideAuthority.equalsIgnoreCase(host.trim());
  }

  /** The advertised HTTP base URL of the node with this Raft address, if it has registered. */
  public Optional<String> httpAddressOf(NodeId peer) {
    return httpAddressOf(peer, false);
  }

  /**
   * The HTTP base URL of the node with this Raft address, if it has registered: its cluster URL for
   * a caller {@linkplain #reachedInside inside} the nodes' network, else its advertised URL.
   */
  public Optional<String> httpAddressOf(NodeId peer, boolean inside) {
    String hostname = peer.toString();
    return raft.stateMachine()
        .read(
            r ->
                r.application(ENV, APPID)
                    .map(app -> app.instance(hostname))
                    .flatMap(i -> urlOf(i, inside)));
  }

  private static Optional<String> urlOf(Instance node, boolean inside) {
    String advertised = node.addrs().isEmpty() ? null : node.addrs().get(0);
    return Optional.ofNullable(
        inside ? node.metadata().getOrDefault(CLUSTER_URL, advertised) : advertised);
  }

  public Optional<String> leaderHttpAddress() {
    return raft.leadership().leader().flatMap(this::httpAddressOf);
  }

  /** Metadata key of the URL nodes use among themselves when it differs from the advertised one. */
  public static final String CLUSTER_URL = "cluster_url";

  /** The URL this node uses to reach the leader: its cluster URL, else its advertised URL. */
  public Optional<String> leaderClusterAddress() {
    return raft.leadership().leader().flatMap(peer -> httpAddressOf(peer, true));
  }

  /** One row of {@code /discovery/nodes}. */
  public record NodeView(String addr, String zone, int status, String role, String raft) {}

  /**
   * The registered nodes, the current members first, with their liveness and role; their addresses
   * as a caller {@linkplain #reachedInside inside} the nodes' network or outside it reaches them.
   */
  public List<NodeView> nodes(long nowNanos, boolean inside) {
    String leader = raft.leadership().leader().map(NodeId::toString).orElse("");
    List<String> members = raft.status().peers();
    List<NodeView> rows = new ArrayList<>();
    raft.stateMachine()
        .read(
            r -> {
              Optional<Application> app = r.application(ENV, APPID);
              app.ifPresent(
                  a -> {
                    for (Instance i : a.instances()) {
                      boolean member =
                          members.stream().anyMatch(m -> sameEndpoint(m, i.hostname()));
                      boolean fresh = nowNanos - i.renewTimestamp() <= staleAfterNanos;
                      // not UP: the leader does not hear from it (see NodeLiveness)
                      boolean up = i.status() == Status.UP;
                      rows.add(
                          new NodeView(
                              hostPort(urlOf(i, inside).orElse("")),
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
   * The current members that have no entry yet. Right after a cluster starts the followers announce
   * themselves a moment after the leader is known; a node that said it was ready then would give a
   * bootstrapping client a list of one node.
   */
  public List<String> unlistedMembers() {
    List<String> members = raft.status().peers();
    return raft.stateMachine()
        .read(
            r -> {
              Optional<Application> app = r.application(ENV, APPID);
              return members.stream()
                  .filter(
                      m ->
                          app.map(
                                  a ->
                                      a.instances().stream()
                                          .noneMatch(i -> sameEndpoint(m, i.hostname())))
                              .orElse(true))
                  .toList();
            });
  }

  private static boolean sameEndpoint(String peer, String endpoint) {
    return peer.equals(endpoint) || peer.startsWith(endpoint + ":");
  }

  private static String authority(String url) {
    try {
      return URI.create(url).getRawAuthority();
    } catch (IllegalArgumentException e) {
      return null;
    }
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
