package dev.roster.node.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeIdTest {
  @Test
  void aRaftAddressParsesToHostAndPortAndPrintsBackTheSame() {
    NodeId id = NodeId.parse("node1:7271");
    assertThat(id).isEqualTo(new NodeId("node1", 7271));
    assertThat(id.toString()).isEqualTo("node1:7271");
    assertThat(NodeId.of(id.toPeer())).isEqualTo(id);
  }

  @Test
  void anythingButHostAndPortIsRefused() {
    for (String bad : new String[] {"", "node1", ":7271", "node1:0", "node1:x", "node1:7271:1"}) {
      assertThatThrownBy(() -> NodeId.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
