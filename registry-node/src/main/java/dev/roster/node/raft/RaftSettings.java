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
    boolean join,
    RaftTls tls) {

  public RaftSettings {
    peers = List.copyOf(peers);
  }

  /** Settings of a node that speaks plain TCP to the others. */
  public RaftSettings(
      String groupId,
      String self,
      List<String> peers,
      Path dataDir,
      int electionTimeoutMs,
      int snapshotIntervalSecs,
      long snapshotOps,
      boolean join) {
    this(
        groupId,
        self,
        peers,
        dataDir,
        electionTimeoutMs,
        snapshotIntervalSecs,
        snapshotOps,
        join,
        null);
  }
}
