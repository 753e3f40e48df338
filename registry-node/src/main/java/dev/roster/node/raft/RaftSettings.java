package dev.roster.node.raft;

import java.nio.file.Path;
import java.util.List;

/** What the Raft layer needs to know to start this node. */
public record RaftSettings(
    String groupId,
    String self,
    List<String> peers,
    Path dataDir,
    int electionTimeoutMs,
    int snapshotIntervalSecs,
    long snapshotOps,
    boolean join) {

  public RaftSettings {
    peers = List.copyOf(peers);
  }
}
