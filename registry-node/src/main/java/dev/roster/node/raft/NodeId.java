package dev.roster.node.raft;

import com.alipay.sofa.jraft.entity.PeerId;

/**
 * A Raft member's id, its Raft address {@code host:port}: what the rest of Roster knows of a
 * member, so that no JRaft type leaves this package.
 */
public record NodeId(String host, int port) {

  public NodeId {
    if (host == null || host.isEmpty() || port <= 0) {
      throw new IllegalArgumentException("not a host:port Raft address: " + host + ":" + port);
    }
  }

  /**
   * Parses {@code host:port}; throws {@link IllegalArgumentException} for anything else (JRaft's
   * {@code host:port:index} form included: Roster runs one member per address).
   */
  public static NodeId parse(String address) {
    PeerId peer = new PeerId();
    if (address == null
        || !peer.parse(address)
        || peer.getPort() <= 0
        || peer.getIdx() != 0
        || !peer.isPriorityDisabled()
        || peer.getIp() == null
        || peer.getIp().isEmpty()) {
      throw new IllegalArgumentException("not a host:port Raft address: " + address);
    }
    return new NodeId(peer.getIp(), peer.getPort());
  }

  static NodeId of(PeerId peer) {
    return new NodeId(peer.getIp(), peer.getPort());
  }

  PeerId toPeer() {
    return new PeerId(host, port);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
