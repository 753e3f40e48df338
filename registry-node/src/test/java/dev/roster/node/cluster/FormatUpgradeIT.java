package dev.roster.node.cluster;

import static dev.roster.node.testing.Calls.ENV;
import static dev.roster.node.testing.Calls.ZONE;
import static dev.roster.node.testing.Calls.cancel;
import static dev.roster.node.testing.Calls.enc;
import static dev.roster.node.testing.Calls.fetch;
import static dev.roster.node.testing.Calls.ok;
import static dev.roster.node.testing.Calls.register;
import static dev.roster.node.testing.Calls.renew;
import static dev.roster.node.testing.Calls.setStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.raft.RaftStorage;
import dev.roster.node.raft.RegistrySnapshot;
import dev.roster.node.testing.FormatV1;
import dev.roster.node.testing.Http;
import dev.roster.node.testing.RegistryState;
import dev.roster.node.testing.TestCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Storage formats across an upgrade: a node of the current version starts from what a node of
 * format version 1 (before regions) left on disk, and regions, new in version 2, survive a snapshot
 * and a restart.
 */
class FormatUpgradeIT {
  private static final String APP = "upgrade.app";

  /**
   * The node first runs "as the old version": its log stores every entry in format 1 ({@link
   * Version1Log}) and its snapshot file is rewritten in format 1 once it has stopped. The restarted
   * node must load that snapshot, replay the format 1 entries after it, and serve exactly what it
   * served before.
   */
  @Test
  void aNodeRestartedFromAVersion1SnapshotAndLogServesItsInstances() throws Exception {
    Version1Log oldVersion = new Version1Log();
    try (TestCluster c = TestCluster.start(1, Map.of(), i -> RaftStorage.of(oldVersion))) {
      c.awaitReady();
      String url = c.url(0);
      for (int n = 0; n < 4; n++) {
        ok(register(url, APP, "h" + n));
      }
      ok(setStatus(url, APP, "h1", 2));
      c.node(0).raft().admin().snapshot().get(30, TimeUnit.SECONDS);
      // what only the log after the snapshot holds
      ok(register(url, APP, "h4"));
      ok(register(url, "upgrade.later", "l0"));
      ok(cancel(url, APP, "h0"));
      ok(renew(url, APP, "h2"));
      ok(setStatus(url, APP, "h3", 2));
      Map<String, RegistryState.App> before = RegistryState.userApps(c.node(0));
      c.stopNode(0);

      assertThat(oldVersion.registersWritten.get())
          .as("REGISTER entries stored in format 1")
          .isGreaterThanOrEqualTo(6);
      Path snapshot = snapshotFile(c.dataDir(0));
      FormatV1.writeSnapshot(RegistrySnapshot.readFrom(snapshot), snapshot);
      assertThat(formatVersion(snapshot)).isEqualTo(1);
      oldVersion.upgraded = true; // from here on the node is the new version and writes format 2

      c.startNode(0);
      c.awaitReady();
      await("the node replayed its format 1 log after the format 1 snapshot")
          .atMost(Duration.ofSeconds(30))
          .until(() -> RegistryState.userApps(c.node(0)).equals(before));
      Map<String, String> regions = regionsByHostname(fetch(url, APP, true));
      assertThat(regions)
          .as("served, with region \"\"")
          .isEqualTo(Map.of("h1", "", "h2", "", "h3", "", "h4", ""));
      ok(registerIn(url, APP, "h5", "cn-east"));
      assertThat(regionsByHostname(fetch(url, APP, true))).containsEntry("h5", "cn-east");
    }
  }

  @Test
  void regionRoundTripsThroughRegisterFetchSnapshotAndRestart() throws Exception {
    try (TestCluster c = TestCluster.start(1)) {
      c.awaitReady();
      String url = c.url(0);
      ok(registerIn(url, APP, "h0", "cn-east"));
      ok(registerIn(url, APP, "h1", "cn-north"));
      ok(register(url, APP, "h2"));
      assertThat(regionsByHostname(fetch(url, APP, false)))
          .isEqualTo(Map.of("h0", "cn-east", "h1", "cn-north", "h2", ""));
      c.node(0).raft().admin().snapshot().get(30, TimeUnit.SECONDS);
      // after the snapshot, in the log only: a new region, and one replaced
      ok(registerIn(url, APP, "h3", "cn-south"));
      ok(registerIn(url, APP, "h1", "cn-west"));
      Map<String, String> expected =
          Map.of("h0", "cn-east", "h1", "cn-west", "h2", "", "h3", "cn-south");
      assertThat(regionsByHostname(fetch(url, APP, false))).isEqualTo(expected);
      c.stopNode(0);
      assertThat(formatVersion(snapshotFile(c.dataDir(0)))).isEqualTo(2);

      c.startNode(0);
      c.awaitReady();
      await("regions back from the snapshot and the log")
          .atMost(Duration.ofSeconds(30))
          .until(() -> regionsByHostname(fetch(url, APP, false)).equals(expected));
    }
  }

  private static Http.Response registerIn(
      String url, String appid, String hostname, String region) {
    return Http.postForm(
        url + "/discovery/register",
        "zone="
            + ZONE
            + "&env="
            + ENV
            + "&appid="
            + enc(appid)
            + "&hostname="
            + enc(hostname)
            + "&addrs="
            + enc("http://" + hostname + ":8080")
            + "&region="
            + enc(region));
  }

  /** hostname → region of every instance a fetch listed (empty when it answered no instances). */
  private static Map<String, String> regionsByHostname(Http.Response fetch) {
    Map<String, String> regions = new TreeMap<>();
    if (fetch.code() == 0) {
      for (JsonNode zone : fetch.data().path("instances")) {
        zone.forEach(i -> regions.put(i.path("hostname").asText(), i.path("region").asText()));
      }
    }
    return regions;
  }

  /** The snapshot file of the only snapshot JRaft keeps ({@code snapshot/snapshot_<index>/}). */
  private static Path snapshotFile(Path dataDir) throws IOException {
    try (Stream<Path> dirs = Files.list(dataDir.resolve("snapshot"))) {
      List<Path> snapshots =
          dirs.filter(d -> d.getFileName().toString().startsWith("snapshot_")).toList();
      assertThat(snapshots).hasSize(1);
      return snapshots.get(0).resolve("registry.snap");
    }
  }

  private static int formatVersion(Path snapshotFile) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(snapshotFile)).getInt(4);
  }

  /**
   * JRaft services whose log stores each entry as a node of format version 1 wrote it, until {@link
   * #upgraded}. The node applies what it proposed from memory, so the entries only come back from
   * disk, in format 1, when it restarts.
   */
  private static final class Version1Log extends DefaultJRaftServiceFactory {
    volatile boolean upgraded;
    final AtomicInteger registersWritten = new AtomicInteger();

    @Override
    public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
      return new RocksDBLogStorage(uri, raftOptions) {
        @Override
        public boolean appendEntry(LogEntry entry) {
          toVersion1(entry);
          return super.appendEntry(entry);
        }

        @Override
        public int appendEntries(List<LogEntry> entries) {
          entries.forEach(Version1Log.this::toVersion1);
          return super.appendEntries(entries);
        }
      };
    }

    private void toVersion1(LogEntry entry) {
      if (upgraded || entry.getType() != EntryType.ENTRY_TYPE_DATA) {
        return;
      }
      RegistryCommand<?> command = CommandCodec.decode(entry.getData());
      if (command.type() == RegistryCommand.Type.REGISTER) {
        registersWritten.incrementAndGet();
      }
      entry.setData(ByteBuffer.wrap(FormatV1.entry(command)));
    }
  }
}
