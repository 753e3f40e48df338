package dev.roster.node.raft;

import dev.roster.node.command.BinaryReader;
import dev.roster.node.command.BinaryWriter;
import dev.roster.node.command.CodecException;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.LogPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * The eviction log's part of a snapshot (format 4):
 *
 * <pre>
 * capacity (int), next seq (long), reason count (int), total per reason (long),
 * protection (byte: -1 unknown, 0 off, 1 on), since (long),
 * evictions (int) x [seq, env, appid, hostname, zone, addrs, last renew, evicted at, index, term,
 *                    reason tag],
 * protection changes (int) x [seq, on, ts, renews, threshold, index, term],
 * windows (int) x [ts, renews, threshold, protecting]
 * </pre>
 */
final class EvictionLogCodec {
  private EvictionLogCodec() {}

  static void write(BinaryWriter w, EvictionLog.State s) {
    w.writeInt(s.capacity()).writeLong(s.nextSeq()).writeInt(s.totals().size());
    s.totals().forEach(w::writeLong);
    w.writeByte(s.protecting() == null ? -1 : s.protecting() ? 1 : 0)
        .writeLong(s.protectingSince());
    w.writeInt(s.evictions().size());
    for (EvictionLog.Eviction e : s.evictions()) {
      w.writeLong(e.seq())
          .writeString(e.key().env())
          .writeString(e.key().appid())
          .writeString(e.key().hostname())
          .writeString(e.zone())
          .writeStrings(e.addrs())
          .writeLong(e.lastRenew())
          .writeLong(e.evictedAt())
          .writeLong(e.at().index())
          .writeLong(e.at().term())
          .writeByte(e.reason().tag);
    }
    w.writeInt(s.changes().size());
    for (EvictionLog.ProtectionChange c : s.changes()) {
      w.writeLong(c.seq())
          .writeBoolean(c.on())
          .writeLong(c.ts())
          .writeLong(c.renews())
          .writeLong(c.threshold())
          .writeLong(c.at().index())
          .writeLong(c.at().term());
    }
    w.writeInt(s.windows().size());
    for (EvictionLog.Window x : s.windows()) {
      w.writeLong(x.ts())
          .writeLong(x.renews())
          .writeLong(x.threshold())
          .writeBoolean(x.protecting());
    }
  }

  static EvictionLog.State read(BinaryReader r) {
    int capacity = r.readInt();
    if (capacity < 1 || capacity > EvictionLog.MAX_CAPACITY) {
      throw new CodecException("bad eviction log capacity " + capacity);
    }
    long nextSeq = r.readLong();
    int reasons = count(r, "eviction reason");
    if (reasons != EvictionReason.values().length) {
      throw new CodecException("eviction totals for " + reasons + " reasons");
    }
    List<Long> totals = new ArrayList<>();
    for (int i = 0; i < reasons; i++) {
      totals.add(r.readLong());
    }
    int p = r.readByte();
    if (p < -1 || p > 1) {
      throw new CodecException("bad protection state " + p);
    }
    Boolean protecting = p < 0 ? null : p == 1;
    long since = r.readLong();
    int n = count(r, "eviction");
    List<EvictionLog.Eviction> evictions = new ArrayList<>(Math.min(n, 4096));
    for (int i = 0; i < n; i++) {
      long seq = r.readLong();
      InstanceKey key =
          new InstanceKey(r.readRequiredString(), r.readRequiredString(), r.readRequiredString());
      String zone = r.readRequiredString();
      List<String> addrs = r.readStrings();
      long lastRenew = r.readLong();
      long evictedAt = r.readLong();
      LogPosition at = new LogPosition(r.readLong(), r.readLong());
      int tag = r.readByte();
      EvictionReason reason = EvictionReason.ofTag(tag);
      if (reason == null) {
        throw new CodecException("bad eviction reason " + tag);
      }
      evictions.add(
          new EvictionLog.Eviction(
              seq, key, zone, addrs == null ? List.of() : addrs, lastRenew, evictedAt, at, reason));
    }
    n = count(r, "protection change");
    List<EvictionLog.ProtectionChange> changes = new ArrayList<>(Math.min(n, 4096));
    for (int i = 0; i < n; i++) {
      changes.add(
          new EvictionLog.ProtectionChange(
              r.readLong(),
              r.readBoolean(),
              r.readLong(),
              r.readLong(),
              r.readLong(),
              new LogPosition(r.readLong(), r.readLong())));
    }
    n = count(r, "window");
    List<EvictionLog.Window> windows = new ArrayList<>(Math.min(n, 4096));
    for (int i = 0; i < n; i++) {
      windows.add(
          new EvictionLog.Window(r.readLong(), r.readLong(), r.readLong(), r.readBoolean()));
    }
    return new EvictionLog.State(
        capacity, nextSeq, totals, protecting, since, evictions, changes, windows);
  }

  private static int count(BinaryReader r, String what) {
    int n = r.readInt();
    if (n < 0) {
      throw new CodecException("bad " + what + " count " + n);
    }
    return n;
  }
}
