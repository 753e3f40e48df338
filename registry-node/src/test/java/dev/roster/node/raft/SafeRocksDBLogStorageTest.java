package dev.roster.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log storage the nodes use, against the JRaft 1.3.15 truncateSuffix bug. */
class SafeRocksDBLogStorageTest {
  @TempDir Path dir;

  private final ConfigurationManager confs = new ConfigurationManager();

  private LogStorage open(Function<String, RocksDBLogStorage> make) {
    RocksDBLogStorage storage = make.apply(dir.toString());
    LogStorageOptions options = new LogStorageOptions();
    options.setConfigurationManager(confs);
    options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
    assertThat(storage.init(options)).isTrue();
    return storage;
  }

  private static void append(LogStorage s, long from, long to, long confAt) {
    for (long i = from; i <= to; i++) {
      LogEntry e;
      if (i == confAt) {
        e = new LogEntry(EntryType.ENTRY_TYPE_CONFIGURATION);
        e.setPeers(List.of(new PeerId("127.0.0.1", 7271)));
      } else {
        e = new LogEntry(EntryType.ENTRY_TYPE_DATA);
        e.setData(ByteBuffer.wrap(("entry " + i).getBytes()));
      }
      e.setId(new LogId(i, 3));
      assertThat(s.appendEntry(e)).isTrue();
    }
  }

  /**
   * Regression: a leader cut off from the others snapshotted, so its log held only entries the new
   * leader then overwrote; truncating all of them failed and left the node in JRaft's error state
   * ("end key comes before start key").
   */
  @Test
  void truncatingEveryEntryOnDiskSucceedsAndDropsTheirConfigurationEntriesToo() {
    LogStorage s = open(p -> new SafeRocksDBLogStorage(p, new RaftOptions()));
    append(s, 11, 20, 12);

    assertThat(s.truncateSuffix(10)).isTrue();

    assertThat(s.getLastLogIndex()).isZero();
    assertThat(s.getEntry(12)).isNull();
    s.shutdown();
    ConfigurationManager reloaded = new ConfigurationManager();
    LogStorage again = new SafeRocksDBLogStorage(dir.toString(), new RaftOptions());
    LogStorageOptions options = new LogStorageOptions();
    options.setConfigurationManager(reloaded);
    options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
    assertThat(again.init(options)).isTrue();
    assertThat(reloaded.get(12).getId().getIndex())
        .as("no configuration entry left at 12")
        .isZero();
    again.shutdown();
  }

  @Test
  void jraftsOwnStorageFailsThere() {
    // documents the upstream bug this class works around: if this starts passing, JRaft fixed it
    LogStorage s = open(p -> new RocksDBLogStorage(p, new RaftOptions()));
    append(s, 11, 20, -1);
    assertThat(s.truncateSuffix(10)).isFalse();
    s.shutdown();
  }

  @Test
  void ordinaryTruncationsStillWork() {
    LogStorage s = open(p -> new SafeRocksDBLogStorage(p, new RaftOptions()));
    append(s, 1, 20, 18);

    assertThat(s.truncateSuffix(15)).isTrue();
    assertThat(s.getLastLogIndex()).isEqualTo(15);
    assertThat(s.getEntry(15)).isNotNull();
    assertThat(s.getEntry(16)).isNull();

    assertThat(s.truncateSuffix(30)).as("nothing beyond 30: a no-op").isTrue();
    assertThat(s.getLastLogIndex()).isEqualTo(15);
    append(s, 16, 17, -1);
    assertThat(s.getLastLogIndex()).isEqualTo(17);
    s.shutdown();
  }
}
