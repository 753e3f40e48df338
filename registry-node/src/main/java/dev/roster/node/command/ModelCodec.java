package dev.roster.node.command;

import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import java.util.Map;

/** Binary form of the model values that appear in commands and snapshots. */
public final class ModelCodec {
  private ModelCodec() {}

  public static void writeSpec(BinaryWriter w, InstanceSpec s) {
    w.writeString(s.zone()).writeString(s.env()).writeString(s.appid()).writeString(s.hostname());
    w.writeStrings(s.addrs()).writeString(s.version()).writeInt(s.status());
    w.writeStringMap(s.metadata());
  }

  public static InstanceSpec readSpec(BinaryReader r) {
    try {
      return new InstanceSpec(
          r.readRequiredString(), r.readRequiredString(), r.readRequiredString(),
          r.readRequiredString(), r.readStrings(), r.readRequiredString(), r.readInt(),
          orEmpty(r.readStringMap()));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("invalid instance: " + e.getMessage(), e);
    }
  }

  public static void writeInstance(BinaryWriter w, Instance i) {
    w.writeString(i.zone()).writeString(i.env()).writeString(i.appid()).writeString(i.hostname());
    w.writeStrings(i.addrs()).writeString(i.version()).writeInt(i.status());
    w.writeStringMap(i.metadata());
    w.writeLong(i.regTimestamp()).writeLong(i.upTimestamp()).writeLong(i.renewTimestamp());
    w.writeLong(i.dirtyTimestamp()).writeLong(i.latestTimestamp());
  }

  public static Instance readInstance(BinaryReader r) {
    try {
      return new Instance(
          r.readRequiredString(), r.readRequiredString(), r.readRequiredString(),
          r.readRequiredString(), r.readStrings(), r.readRequiredString(), r.readInt(),
          orEmpty(r.readStringMap()), r.readLong(), r.readLong(), r.readLong(), r.readLong(),
          r.readLong());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("invalid instance: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
