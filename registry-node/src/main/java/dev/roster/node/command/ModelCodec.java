package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Lease;
import dev.roster.node.model.Status;
import java.util.List;
import java.util.Map;

/**
 * Binary form of the model values that appear in commands and snapshots, in three layouts, each
 * named by the command and snapshot format version that introduced it:
 *
 * <ol>
 *   <li>zone, env, appid, hostname, addrs, version, status, metadata (instances: then their five
 *       timestamps);
 *   <li>the region first, then layout 1;
 *   <li>layout 2, then the lease (renew interval, duration, in ms) and the extensions map.
 * </ol>
 *
 * Writers choose the oldest layout that holds the value ({@link #layoutFor}), so nodes not yet
 * upgraded keep reading what clients of the old kind register.
 */
public final class ModelCodec {
  public static final int LAYOUT_WITHOUT_REGION = 1;
  public static final int LAYOUT_WITH_REGION = 2;
  public static final int LAYOUT_WITH_LEASE = 3;

  private ModelCodec() {}

  /** The oldest layout that holds an instance with these fields. */
  public static int layoutFor(String region, Lease lease, Map<String, String> extensions) {
    if (!lease.isDefault() || !extensions.isEmpty()) {
      return LAYOUT_WITH_LEASE;
    }
    return region.isEmpty() ? LAYOUT_WITHOUT_REGION : LAYOUT_WITH_REGION;
  }

  public static int layoutFor(InstanceSpec s) {
    return layoutFor(s.region(), s.lease(), s.extensions());
  }

  public static int layoutFor(Instance i) {
    return layoutFor(i.region(), i.lease(), i.extensions());
  }

  public static BinaryWriter writeSpec(BinaryWriter w, InstanceSpec s, int layout) {
    if (layout >= LAYOUT_WITH_REGION) {
      w.writeString(s.region());
    }
    w.writeString(s.zone()).writeString(s.env()).writeString(s.appid()).writeString(s.hostname());
    w.writeStrings(s.addrs()).writeString(s.version()).writeInt(s.status().code());
    w.writeStringMap(s.metadata());
    if (layout >= LAYOUT_WITH_LEASE) {
      writeLease(w, s.lease(), s.extensions());
    }
    return w;
  }

  public static InstanceSpec readSpec(BinaryReader r, int layout) {
    try {
      String region = region(r, layout);
      String zone = r.readRequiredString();
      String env = r.readRequiredString();
      String appid = r.readRequiredString();
      String hostname = r.readRequiredString();
      List<String> addrs = r.readStrings();
      String version = r.readRequiredString();
      int status = r.readInt();
      Map<String, String> metadata = orEmpty(r.readStringMap());
      Lease lease = layout >= LAYOUT_WITH_LEASE ? readLease(r) : Lease.DEFAULT;
      Map<String, String> extensions =
          layout >= LAYOUT_WITH_LEASE ? orEmpty(r.readStringMap()) : Map.of();
      return new InstanceSpec(
          region,
          zone,
          env,
          appid,
          hostname,
          addrs,
          version,
          Status.ofCode(status),
          metadata,
          lease,
          extensions);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("invalid instance: " + e.getMessage(), e);
    }
  }

  public static void writeInstance(BinaryWriter w, Instance i, int layout) {
    if (layout >= LAYOUT_WITH_REGION) {
      w.writeString(i.region());
    }
    w.writeString(i.zone()).writeString(i.env()).writeString(i.appid()).writeString(i.hostname());
    w.writeStrings(i.addrs()).writeString(i.version()).writeInt(i.status().code());
    w.writeStringMap(i.metadata());
    w.writeLong(i.regTimestamp()).writeLong(i.upTimestamp()).writeLong(i.renewTimestamp());
    w.writeLong(i.dirtyTimestamp()).writeLong(i.latestTimestamp());
    if (layout >= LAYOUT_WITH_LEASE) {
      writeLease(w, i.lease(), i.extensions());
    }
  }

  public static Instance readInstance(BinaryReader r, int layout) {
    try {
      String region = region(r, layout);
      String zone = r.readRequiredString();
      String env = r.readRequiredString();
      String appid = r.readRequiredString();
      String hostname = r.readRequiredString();
      List<String> addrs = r.readStrings();
      String version = r.readRequiredString();
      Status status = Status.ofCode(r.readInt());
      Map<String, String> metadata = orEmpty(r.readStringMap());
      long reg = r.readLong();
      long up = r.readLong();
      long renew = r.readLong();
      long dirty = r.readLong();
      long latest = r.readLong();
      Lease lease = layout >= LAYOUT_WITH_LEASE ? readLease(r) : Lease.DEFAULT;
      Map<String, String> extensions =
          layout >= LAYOUT_WITH_LEASE ? orEmpty(r.readStringMap()) : Map.of();
      return new Instance(
          region,
          zone,
          env,
          appid,
          hostname,
          addrs,
          version,
          status,
          metadata,
          reg,
          up,
          renew,
          dirty,
          latest,
          lease,
          extensions);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("invalid instance: " + e.getMessage(), e);
    }
  }

  private static void writeLease(BinaryWriter w, Lease lease, Map<String, String> extensions) {
    w.writeLong(lease.renewIntervalMs()).writeLong(lease.durationMs());
    w.writeStringMap(extensions);
  }

  private static Lease readLease(BinaryReader r) {
    return new Lease(r.readLong(), r.readLong());
  }

  private static String region(BinaryReader r, int layout) {
    return layout >= LAYOUT_WITH_REGION ? r.readRequiredString() : "";
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
