package dev.roster.node.raft;

import dev.roster.node.command.BinaryReader;
import dev.roster.node.command.BinaryWriter;
import dev.roster.node.command.CodecException;
import dev.roster.node.command.ModelCodec;
import dev.roster.node.model.AppKey;
import dev.roster.node.model.Application;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.GuardPolicy;
import dev.roster.node.model.Instance;
import dev.roster.node.model.RecentChanges;
import dev.roster.node.model.Registry;
import dev.roster.node.model.RegistryView;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * An immutable copy of the whole registry, and its file format:
 *
 * <pre>
 * magic "RSTR" | format version (int) | body | CRC32C of the body (long)
 * body = last applied ts, guard renews this/last window, app count,
 *        per app: appid, env, latest_timestamp, instance count, instances;
 *        version 3: then the recent-changes count, per change: ts, action, instance;
 *        version 4: then the eviction log: capacity, next seq, totals by reason,
 *        protection (-1 unknown, 0 off, 1 on) and since, evictions, protection changes, windows
 * </pre>
 *
 * Applications are written by env then appid, instances by hostname, so every replica writes the
 * same state as the same bytes (a hash map's order depends on its history).
 *
 * <p>Capturing is cheap (instances are immutable values); writing happens off the state-machine
 * thread. Version 2 added the region to each instance, version 3 the lease and extensions of each
 * instance and the recent changes (the Eureka delta); files of every older version are still read.
 * A writer uses the oldest version that holds the instances, so until a client registers what only
 * version 3 holds (through the Eureka API), nodes not yet upgraded can install the snapshot; such a
 * snapshot leaves the recent changes out (a Eureka client that misses one then fetches in full).
 * Version 4 adds the eviction log; it is written once an eviction check of a version that has the
 * log ran (so after an upgrade's first leader change), with the instances in layout 3.
 */
public record RegistrySnapshot(
    long lastAppliedTs,
    long renewsThisWindow,
    long renewsLastWindow,
    List<AppState> apps,
    List<RecentChanges.Change> recent,
    EvictionLog.State evictionLog) {

  static final int MAGIC = 0x52535452; // "RSTR"

  /** The newest version, written when the eviction log holds anything. */
  static final int FORMAT_VERSION = 4;

  /** Written when an instance has a lease or extensions. */
  static final int FORMAT_VERSION_WITH_LEASE = ModelCodec.LAYOUT_WITH_LEASE;

  /** Written when an instance has a region (see {@link #writeTo}). */
  static final int FORMAT_VERSION_WITH_REGION = ModelCodec.LAYOUT_WITH_REGION;

  /** The oldest version still read: instances without a region. */
  static final int FORMAT_VERSION_WITHOUT_REGION = ModelCodec.LAYOUT_WITHOUT_REGION;

  private static final RecentChanges.Action[] ACTIONS = RecentChanges.Action.values();

  public RegistrySnapshot {
    apps = List.copyOf(apps);
    recent = List.copyOf(recent);
    evictionLog = evictionLog == null ? EvictionLog.State.EMPTY : evictionLog;
  }

  public RegistrySnapshot(
      long lastAppliedTs,
      long renewsThisWindow,
      long renewsLastWindow,
      List<AppState> apps,
      List<RecentChanges.Change> recent) {
    this(lastAppliedTs, renewsThisWindow, renewsLastWindow, apps, recent, EvictionLog.State.EMPTY);
  }

  public record AppState(AppKey key, long latestTimestamp, List<Instance> instances) {}

  /** Copies the registry's state; call it where nothing mutates the registry concurrently. */
  public static RegistrySnapshot capture(RegistryView registry, long lastAppliedTs) {
    List<AppState> apps = new ArrayList<>(registry.applicationCount());
    for (Application app : registry.applications()) {
      apps.add(new AppState(app.key(), app.latestTimestamp(), List.copyOf(app.instances())));
    }
    return new RegistrySnapshot(
        lastAppliedTs,
        registry.guard().renewsThisWindow(),
        registry.guard().renewsLastWindow(),
        apps,
        List.copyOf(registry.recentChanges().all()),
        registry.evictionLog().state());
  }

  private static final Comparator<AppState> FILE_ORDER =
      Comparator.comparing((AppState a) -> a.key().env()).thenComparing(a -> a.key().appid());

  private static final Comparator<Instance> INSTANCE_ORDER =
      Comparator.comparing(Instance::hostname);

  /**
   * This state as the file holds it: in file order, and without the recent changes when the format
   * version is older than 3. Sorting happens here, when writing, not in {@link #capture}, which
   * runs on the state-machine thread.
   */
  RegistrySnapshot inFileOrder() {
    return sorted(formatVersion() >= FORMAT_VERSION_WITH_LEASE ? recent : List.of());
  }

  private RegistrySnapshot sorted(List<RecentChanges.Change> keptChanges) {
    List<AppState> sorted = new ArrayList<>(apps.size());
    for (AppState app : apps) {
      List<Instance> instances = new ArrayList<>(app.instances());
      instances.sort(INSTANCE_ORDER);
      sorted.add(new AppState(app.key(), app.latestTimestamp(), instances));
    }
    sorted.sort(FILE_ORDER);
    return new RegistrySnapshot(
        lastAppliedTs, renewsThisWindow, renewsLastWindow, sorted, keptChanges, evictionLog);
  }

  /** Builds a fresh registry holding exactly this state. */
  public Registry restore(GuardPolicy policy) {
    return restore(policy, key -> true);
  }

  /** Builds a fresh registry holding exactly this state, guarding the given applications. */
  public Registry restore(GuardPolicy policy, java.util.function.Predicate<AppKey> guarded) {
    Registry registry = new Registry(policy, guarded);
    for (AppState app : apps) {
      app.instances().forEach(registry::restoreInstance);
      registry.restoreLatestTimestamp(app.key(), app.latestTimestamp());
    }
    recent.forEach(registry::restoreChange);
    registry.restoreEvictionLog(evictionLog);
    registry.restoreGuard(renewsThisWindow, renewsLastWindow);
    return registry;
  }

  public long instanceCount() {
    return apps.stream().mapToLong(a -> a.instances().size()).sum();
  }

  /**
   * The oldest version that holds every instance (a removed one in the recent changes too) and the
   * eviction log.
   */
  int formatVersion() {
    if (!evictionLog.isEmpty()) {
      return FORMAT_VERSION;
    }
    int version = FORMAT_VERSION_WITHOUT_REGION;
    for (AppState app : apps) {
      for (Instance i : app.instances()) {
        version = Math.max(version, ModelCodec.layoutFor(i));
      }
    }
    for (RecentChanges.Change c : recent) {
      if (ModelCodec.layoutFor(c.instance()) == FORMAT_VERSION_WITH_LEASE) {
        return FORMAT_VERSION_WITH_LEASE;
      }
    }
    return version;
  }

  /** Writes the snapshot and forces it to disk. */
  public void writeTo(Path file) throws IOException {
    try (FileChannel channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream raw = Channels.newOutputStream(channel)) {
      // the oldest version that holds the registry, as for log entries (CommandCodec#encode): a
      // snapshot a new leader sends to a follower not yet upgraded stays readable there
      int version = formatVersion();
      int layout = Math.min(version, ModelCodec.LAYOUT_WITH_LEASE);
      DataOutputStream header = new DataOutputStream(raw);
      header.writeInt(MAGIC);
      header.writeInt(version);
      // buffer above the checksum: the codec writes a few bytes at a time, and CRC32C is fast
      // only over whole arrays (byte-at-a-time it took half the snapshot time)
      CheckedOutputStream checked = new CheckedOutputStream(raw, new CRC32C());
      BinaryWriter w = new BinaryWriter(new BufferedOutputStream(checked, 1 << 16));
      w.writeLong(lastAppliedTs).writeLong(renewsThisWindow).writeLong(renewsLastWindow);
      List<AppState> ordered = inFileOrder().apps();
      w.writeInt(ordered.size());
      for (AppState app : ordered) {
        w.writeString(app.key().appid()).writeString(app.key().env());
        w.writeLong(app.latestTimestamp()).writeInt(app.instances().size());
        for (Instance i : app.instances()) {
          ModelCodec.writeInstance(w, i, layout);
        }
      }
      if (version >= FORMAT_VERSION_WITH_LEASE) {
        w.writeInt(recent.size());
        for (RecentChanges.Change c : recent) {
          w.writeLong(c.ts()).writeByte(c.action().ordinal());
          ModelCodec.writeInstance(w, c.instance(), layout);
        }
      }
      if (version >= FORMAT_VERSION) {
        EvictionLogCodec.write(w, evictionLog);
      }
      w.flush();
      header.writeLong(checked.getChecksum().getValue());
      header.flush();
      channel.force(true);
    }
  }

  /** Reads a snapshot file; a wrong magic, version or checksum is a {@link CodecException}. */
  public static RegistrySnapshot readFrom(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 8 + 8) {
        throw new CodecException("snapshot file too short: " + size + " bytes");
      }
      if (size > Integer.MAX_VALUE) {
        throw new CodecException("snapshot file too large for one mapping: " + size + " bytes");
      }
      // mapped, and decoded straight from the mapping: no copy, no stream call per field
      MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      ByteBuffer header = mapped.duplicate();
      if (header.getInt() != MAGIC) {
        throw new CodecException("not a Roster snapshot: " + file);
      }
      int version = header.getInt();
      if (version < FORMAT_VERSION_WITHOUT_REGION || version > FORMAT_VERSION) {
        throw new CodecException("unsupported snapshot format version " + version);
      }
      ByteBuffer body = mapped.slice(8, (int) size - 8 - 8);
      CRC32C crc = new CRC32C();
      crc.update(body.duplicate());
      if (mapped.getLong((int) size - 8) != crc.getValue()) {
        throw new CodecException("snapshot checksum mismatch in " + file);
      }
      return decodeBody(new BinaryReader(body), version);
    }
  }

  private static RegistrySnapshot decodeBody(BinaryReader r, int version) {
    int layout = Math.min(version, ModelCodec.LAYOUT_WITH_LEASE);
    long lastTs = r.readLong();
    long thisWindow = r.readLong();
    long lastWindow = r.readLong();
    int appCount = r.readInt();
    if (appCount < 0) {
      throw new CodecException("bad application count " + appCount);
    }
    List<AppState> apps = new ArrayList<>(Math.min(appCount, 1 << 16));
    for (int a = 0; a < appCount; a++) {
      String appid = r.readRequiredString(); // the file holds appid before env
      AppKey key = new AppKey(r.readRequiredString(), appid);
      long latest = r.readLong();
      int n = r.readInt();
      if (n < 1) {
        throw new CodecException("bad instance count " + n + " for " + key);
      }
      List<Instance> instances = new ArrayList<>(Math.min(n, 1 << 16));
      for (int i = 0; i < n; i++) {
        instances.add(ModelCodec.readInstance(r, layout));
      }
      apps.add(new AppState(key, latest, instances));
    }
    List<RecentChanges.Change> recent = new ArrayList<>();
    if (version >= FORMAT_VERSION_WITH_LEASE) {
      int n = r.readInt();
      if (n < 0) {
        throw new CodecException("bad recent change count " + n);
      }
      for (int c = 0; c < n; c++) {
        long ts = r.readLong();
        int action = r.readByte();
        if (action < 0 || action >= ACTIONS.length) {
          throw new CodecException("bad recent change action " + action);
        }
        recent.add(
            new RecentChanges.Change(ts, ACTIONS[action], ModelCodec.readInstance(r, layout)));
      }
    }
    EvictionLog.State log =
        version >= FORMAT_VERSION ? EvictionLogCodec.read(r) : EvictionLog.State.EMPTY;
    if (!r.atEnd()) {
      throw new CodecException("trailing bytes in snapshot body");
    }
    return new RegistrySnapshot(lastTs, thisWindow, lastWindow, apps, recent, log);
  }
}
