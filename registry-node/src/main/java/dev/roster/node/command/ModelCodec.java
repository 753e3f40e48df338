package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.model.Status;
import java.util.List;
import java.util.Map;

/**
 * Binary form of the model values that appear in commands and snapshots. It always writes the
 * current layout, which begins with the region; readers say whether the bytes they read have one
 * (command and snapshot format version 1 did not: such values read with region {@code ""}).
 */
public final class ModelCodec {
  private ModelCodec() {}

  /** Writes a spec; {@code withRegion} false writes the layout of format version 1 (no region). */
  public static BinaryWriter writeSpec(BinaryWriter w, InstanceSpec s, boolean withRegion) {
    if (withRegion) {
      w.writeString(s.region());
    }
    w.writeString(s.zone()).writeString(s.env()).writeString(s.appid()).writeString(s.hostname());
    w.writeStrings(s.addrs()).writeString(s.version()).writeInt(s.status().code());
    return w.writeStringMap(s.metadata());
  }

  /** Reads a spec; {@code withRegion} false reads the layout of format version 1. */
  public static InstanceSpec readSpec(BinaryReader r, boolean withRegion) {
    try {
      String region = region(r, withRegion);
      String zone = r.readRequiredString();
      String env = r.readRequiredString();
      String appid = r.readRequiredString();
      String hostname = r.readRequiredString();
      List<String> addrs = r.readStrings();
      String version = r.readRequiredString();
      int status = r.readInt();
      Map<String, String> metadata = orEmpty(r.readStringMap());
      return new InstanceSpec(
          region, zone, env, appid, hostname, addrs, version, Status.ofCode(status), metadata);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("invalid instance: " + e.getMessage(), e);
    }
  }

  /** Writes an instance; {@code withRegion} false writes the layout of format version 1. */
  public static void writeInstance(BinaryWriter w, Instance i, boolean withRegion) {
    if (withRegion) {
      w.writeString(i.region());
    }
    w.writeString(i.zone()).writeString(i.env()).writeString(i.appid()).writeString(i.hostname());
    w.writeStrings(i.addrs()).writeString(i.version()).writeInt(i.status().code());
    w.writeStringMap(i.metadata());
    w.writeLong(i.regTimestamp()).writeLong(i.upTimestamp()).writeLong(i.renewTimestamp());
    w.writeLong(i.dirtyTimestamp()).writeLong(i.latestTimestamp());
  }

  /** Reads an instance; {@code withRegion} false reads the layout of format version 1. */
  public static Instance readInstance(BinaryReader r, boolean withRegion) {
    try {
      return new Instance(
          region(r, withRegion),
          r.readRequiredString(),
          r.readRequiredString(),
          r.readRequiredString(),
          r.readRequiredString(),
          r.readStrings(),
          r.readRequiredString(),
          Status.ofCode(r.readInt()),
          orEmpty(r.readStringMap()),
          r.readLong(),
          r.readLong(),
          r.readLong(),
          r.readLong(),
          r.readLong());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("invalid instance: " + e.getMessage(), e);
    }
  }

  private static String region(BinaryReader r, boolean withRegion) {
    return withRegion ? r.readRequiredString() : "";
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
