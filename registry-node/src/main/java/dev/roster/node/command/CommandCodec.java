package dev.roster.node.command;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.EvictionReason;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The log format of commands: {@code [format version][type tag][body]}, big-endian. The log is a
 * storage format: a node must read entries written by older versions, so a change of any body gets
 * a new format version and the old one stays readable.
 *
 * <p>Version 2 added the region to the REGISTER body; version 3 the lease and extensions (see
 * {@link ModelCodec}) and the two Eureka commands; version 4 the check's decision and each target's
 * reason to the EVICT body (the eviction log). Every other body is the same in all three. A log
 * written before an upgrade holds entries of the older versions, and the snapshot that replaces
 * them may be taken long after, so every version is read for good.
 */
public final class CommandCodec {
  /** The newest version: an EVICT with the check's decision and each target's reason. */
  public static final byte FORMAT_VERSION = 4;

  /** The Eureka commands, and a REGISTER with a lease or extensions. */
  static final byte FORMAT_VERSION_WITH_LEASE = ModelCodec.LAYOUT_WITH_LEASE;

  /** The oldest version still read: REGISTER without a region. */
  static final byte FORMAT_VERSION_WITHOUT_REGION = ModelCodec.LAYOUT_WITHOUT_REGION;

  private CommandCodec() {}

  /**
   * Writes the oldest version that holds the command: version 2 only for a REGISTER that carries a
   * region, 3 for one with a lease or extensions and for the Eureka commands. During a rolling
   * upgrade the nodes not yet upgraded keep reading the log until a client actually sends what only
   * the new version holds (docs/operations.md#upgrades).
   */
  public static byte[] encode(RegistryCommand<?> command) {
    int version =
        switch (command.type()) {
          case REGISTER -> ModelCodec.layoutFor(((RegisterCommand) command).spec());
          case EUREKA_REGISTER, EUREKA_STATUS -> FORMAT_VERSION_WITH_LEASE;
          case EVICT ->
              ((EvictCommand) command).check() != null
                  ? FORMAT_VERSION
                  : FORMAT_VERSION_WITHOUT_REGION;
          case RENEW, CANCEL, SET, RENEW_BATCH -> FORMAT_VERSION_WITHOUT_REGION;
        };
    BinaryWriter w = new BinaryWriter();
    w.writeByte(version).writeByte(command.type().tag).writeLong(command.ts());
    // a switch expression, so a new type does not compile until it has a body here; each record
    // answers its own type(), so the cast holds
    BinaryWriter body =
        switch (command.type()) {
          case REGISTER -> ModelCodec.writeSpec(w, ((RegisterCommand) command).spec(), version);
          case EUREKA_REGISTER ->
              ModelCodec.writeSpec(w, ((EurekaRegisterCommand) command).spec(), version);
          case EUREKA_STATUS -> writeEurekaStatus(w, (EurekaStatusCommand) command);
          case RENEW -> writeKey(w, ((RenewCommand) command).key());
          case CANCEL -> writeKey(w, ((CancelCommand) command).key());
          case SET -> writeSet(w, (SetCommand) command);
          case EVICT -> writeEvict(w, (EvictCommand) command, version);
          case RENEW_BATCH -> writeRenewBatch(w, (RenewBatchCommand) command);
        };
    return body.toByteArray();
  }

  private static BinaryWriter writeKey(BinaryWriter w, InstanceKey key) {
    return w.writeString(key.env()).writeString(key.appid()).writeString(key.hostname());
  }

  private static InstanceKey readKey(BinaryReader r) {
    return new InstanceKey(r.readRequiredString(), r.readRequiredString(), r.readRequiredString());
  }

  public static RegistryCommand<?> decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  /**
   * Decodes one command from {@code data}'s position to its limit (without moving it); anything
   * else — wrong version, unknown type, trailing bytes — throws.
   */
  public static RegistryCommand<?> decode(ByteBuffer data) {
    BinaryReader r = new BinaryReader(data);
    int version = r.readByte();
    if (version < FORMAT_VERSION_WITHOUT_REGION || version > FORMAT_VERSION) {
      throw new CodecException("unsupported command format version " + version);
    }
    RegistryCommand.Type type = RegistryCommand.Type.ofTag((byte) r.readByte());
    long ts = r.readLong();
    RegistryCommand<?> command =
        switch (type) {
          case REGISTER -> new RegisterCommand(ts, ModelCodec.readSpec(r, version));
          case EUREKA_REGISTER ->
              new EurekaRegisterCommand(
                  ts, ModelCodec.readSpec(r, atLeast(FORMAT_VERSION_WITH_LEASE, version, type)));
          case EUREKA_STATUS -> {
            atLeast(FORMAT_VERSION_WITH_LEASE, version, type);
            yield readEurekaStatus(r, ts);
          }
          case RENEW -> new RenewCommand(ts, readKey(r));
          case CANCEL -> new CancelCommand(ts, readKey(r));
          case SET -> readSet(r, ts);
          case EVICT -> readEvict(r, ts, version);
          case RENEW_BATCH -> readRenewBatch(r, ts);
        };
    if (!r.atEnd()) {
      throw new CodecException("trailing bytes after " + type + " command");
    }
    return command;
  }

  private static int atLeast(int needed, int version, RegistryCommand.Type type) {
    if (version < needed) {
      throw new CodecException(type + " in command format version " + version);
    }
    return version;
  }

  private static BinaryWriter writeEurekaStatus(BinaryWriter w, EurekaStatusCommand c) {
    return writeKey(w, c.key()).writeString(c.override() == null ? "" : c.override());
  }

  private static EurekaStatusCommand readEurekaStatus(BinaryReader r, long ts) {
    InstanceKey key = readKey(r);
    String override = r.readRequiredString();
    return new EurekaStatusCommand(ts, key, override.isEmpty() ? null : override);
  }

  private static BinaryWriter writeSet(BinaryWriter w, SetCommand c) {
    w.writeString(c.env()).writeString(c.appid()).writeInt(c.changes().size());
    for (SetChange change : c.changes()) {
      w.writeString(change.hostname());
      w.writeBoolean(change.status() != null);
      w.writeInt(change.status() == null ? 0 : change.status().code());
      w.writeStringMap(change.metadata());
    }
    return w;
  }

  private static SetCommand readSet(BinaryReader r, long ts) {
    String env = r.readRequiredString();
    String appid = r.readRequiredString();
    int n = r.readInt();
    if (n < 1) {
      throw new CodecException("set without changes");
    }
    List<SetChange> changes = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      String hostname = r.readRequiredString();
      boolean hasStatus = r.readBoolean();
      int status = r.readInt();
      try {
        Map<String, String> metadata = r.readStringMap();
        changes.add(new SetChange(hostname, hasStatus ? Status.ofCode(status) : null, metadata));
      } catch (IllegalArgumentException e) {
        throw new CodecException("invalid set change: " + e.getMessage(), e);
      }
    }
    return new SetCommand(ts, env, appid, changes);
  }

  private static BinaryWriter writeRenewBatch(BinaryWriter w, RenewBatchCommand c) {
    w.writeInt(c.renews().size());
    for (InstanceKey k : c.renews()) {
      writeKey(w, k);
    }
    return w;
  }

  private static RenewBatchCommand readRenewBatch(BinaryReader r, long ts) {
    int n = r.readInt();
    if (n < 1) {
      throw new CodecException("bad renew batch size " + n);
    }
    List<InstanceKey> renews = new ArrayList<>(Math.min(n, 4096));
    for (int i = 0; i < n; i++) {
      renews.add(readKey(r));
    }
    return new RenewBatchCommand(ts, renews);
  }

  /**
   * Versions 1 to 3: roll flag, target count, per target key and renew timestamp. Version 4 adds
   * the check (protecting, renews, threshold, log capacity) after the roll flag and a reason tag
   * after each target.
   */
  private static BinaryWriter writeEvict(BinaryWriter w, EvictCommand c, int version) {
    w.writeBoolean(c.rollGuardWindow());
    boolean withCheck = version >= FORMAT_VERSION;
    if (withCheck) {
      EvictionLog.Check check = c.check();
      w.writeBoolean(check.protecting())
          .writeLong(check.renews())
          .writeLong(check.threshold())
          .writeInt(check.capacity());
    }
    w.writeInt(c.targets().size());
    for (EvictTarget t : c.targets()) {
      writeKey(w, t.key()).writeLong(t.renewTimestamp());
      if (withCheck) {
        w.writeByte(t.reason().tag);
      }
    }
    return w;
  }

  private static EvictCommand readEvict(BinaryReader r, long ts, int version) {
    boolean roll = r.readBoolean();
    boolean withCheck = version >= FORMAT_VERSION;
    EvictionLog.Check check = null;
    if (withCheck) {
      boolean protecting = r.readBoolean();
      long renews = r.readLong();
      long threshold = r.readLong();
      int capacity = r.readInt();
      try {
        check = new EvictionLog.Check(protecting, renews, threshold, capacity);
      } catch (IllegalArgumentException e) {
        throw new CodecException(e.getMessage());
      }
    }
    int n = r.readInt();
    if (n < 0) {
      throw new CodecException("bad evict target count " + n);
    }
    List<EvictTarget> targets = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      InstanceKey key = readKey(r);
      long renew = r.readLong();
      EvictionReason reason = EvictionReason.UNRECORDED;
      if (withCheck) {
        int tag = r.readByte();
        reason = EvictionReason.ofTag(tag);
        if (reason == null || reason == EvictionReason.UNRECORDED) {
          throw new CodecException("bad eviction reason " + tag);
        }
      }
      targets.add(new EvictTarget(key, renew, reason));
    }
    return new EvictCommand(ts, targets, roll, check);
  }
}
