package dev.roster.node.raft;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;

/**
 * JRaft's RocksDB log, with its {@code truncateSuffix} fixed.
 *
 * <p>JRaft 1.3.15 deletes the discarded suffix from its two column families with two {@code
 * deleteRange(lastIndexKept + 1, getLastLogIndex() + 1)} calls, reading the last index again for
 * the second one. When every entry on disk lies beyond {@code lastIndexKept} — a leader that took a
 * snapshot while cut off, so its log holds only entries the new leader overwrites — the first call
 * empties the log, the second reads a last index of 0, RocksDB refuses the range ("end key comes
 * before start key") and the node stops in JRaft's error state for good (sofa-jraft issue 1187;
 * found by the chaos suite's isolate-leader round). Here the last index is read once, before
 * anything is deleted, and both calls use it.
 */
class SafeRocksDBLogStorage extends RocksDBLogStorage {
  /** The last index as it was when the current truncation started, on the truncating thread. */
  private final ThreadLocal<Long> truncating = new ThreadLocal<>();

  SafeRocksDBLogStorage(String path, RaftOptions raftOptions) {
    super(path, raftOptions);
  }

  /** The service factory that makes JRaft use this log storage. */
  static DefaultJRaftServiceFactory serviceFactory() {
    return new DefaultJRaftServiceFactory() {
      @Override
      public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
        return new SafeRocksDBLogStorage(uri, raftOptions);
      }
    };
  }

  @Override
  public boolean truncateSuffix(long lastIndexKept) {
    // never below lastIndexKept: with nothing to delete the range must be empty, not inverted
    truncating.set(Math.max(super.getLastLogIndex(), lastIndexKept));
    try {
      return super.truncateSuffix(lastIndexKept);
    } finally {
      truncating.remove();
    }
  }

  @Override
  public long getLastLogIndex() {
    Long pinned = truncating.get();
    return pinned != null ? pinned : super.getLastLogIndex();
  }
}
