package dev.roster.node.raft;

import com.alipay.sofa.jraft.JRaftServiceFactory;

/**
 * Where a node's Raft log and metadata are kept: JRaft's storage services, wrapped so that callers
 * outside this package (the node, the test cluster) pass them along without naming JRaft.
 */
public final class RaftStorage {
  private final JRaftServiceFactory services;

  private RaftStorage(JRaftServiceFactory services) {
    this.services = services;
  }

  /** JRaft's storage with its RocksDB log's truncation fixed ({@link SafeRocksDBLogStorage}). */
  public static RaftStorage standard() {
    return new RaftStorage(SafeRocksDBLogStorage.serviceFactory());
  }

  /** Storage built by {@code services} (tests use it to give one node a slow disk). */
  public static RaftStorage of(JRaftServiceFactory services) {
    return new RaftStorage(services);
  }

  JRaftServiceFactory services() {
    return services;
  }
}
