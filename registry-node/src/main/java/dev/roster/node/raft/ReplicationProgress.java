package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.ReplicatorGroup;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.Replicator;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.util.ThreadId;
import com.alipay.sofa.jraft.util.Utils;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader: how long ago each follower last answered it (its replicator's last successful RPC,
 * the clock JRaft's own lease judges members by). JRaft keeps its replicators private to {@link
 * NodeImpl}; this reads the field once by reflection and, should a JRaft version rename it, reports
 * nothing instead of failing (the console then shows no last contact).
 */
final class ReplicationProgress {
  private static final Logger log = LoggerFactory.getLogger(ReplicationProgress.class);
  private static final Field GROUP = groupField();

  private ReplicationProgress() {}

  private static Field groupField() {
    try {
      Field f = NodeImpl.class.getDeclaredField("replicatorGroup");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.info(
          "JRaft's replicators are not readable ({}): no last contact per member", e.toString());
      return null;
    }
  }

  /** Milliseconds since each peer last answered; empty on a follower or when unknown. */
  static Map<String, Long> lastContactMs(Node node) {
    Map<String, Long> ago = new LinkedHashMap<>();
    if (GROUP == null || !(node instanceof NodeImpl impl) || !node.isLeader()) {
      return ago;
    }
    try {
      ReplicatorGroup group = (ReplicatorGroup) GROUP.get(impl);
      long now = Utils.monotonicMs();
      for (PeerId peer : node.listPeers()) {
        ThreadId id = group == null ? null : group.getReplicator(peer);
        if (id != null) {
          long last = Replicator.getLastRpcSendTimestamp(id);
          ago.put(peer.getEndpoint().toString(), Math.max(0, now - last));
        }
      }
    } catch (IllegalAccessException | RuntimeException e) {
      log.debug("cannot read JRaft's replicators", e);
    }
    return ago;
  }
}
