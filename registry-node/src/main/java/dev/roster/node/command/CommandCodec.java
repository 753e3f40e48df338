package dev.roster.node.command;

import dev.roster.node.model.EvictTarget;
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
 * <p>Version 2 added the region to the REGISTER body; every other body is the same in both. A log
 * written before the upgrade holds version 1 entries, and the snapshot that replaces them may be
 * taken long after, so version 1 is read for good.
 */
public final class CommandCodec {
  /** The newest version: written for a REGISTER with a region (see {@link #encode}). */
  public static final byte FORMAT_VERSION = 2;

  /** The oldest version still read: REGISTER without a region. */
  static final byte FORMAT_VERSION_WITHOUT_REGION = 1;

  private CommandCodec() {}

  /**
   * Writes the oldest version that holds the command: version 2 only for a REGISTER that carries a
   * region. During a rolling upgrade the nodes not yet upgraded keep reading the log, until a
   * client actually sends a region (docs/operations.md#upgrades).
   */
  public static byte[] encode(RegistryCommand<?> command) {
    boolean withRegion = command instanceof RegisterCommand r && !r.spec().region().isEmpty();
    BinaryWriter w = new BinaryWriter();
    w.writeByte(withRegion ? FORMAT_VERSION : FORMAT_VERSION_WITHOUT_REGION)
        .writeByte(command.type().tag)
        .writeLong(command.ts());
    // a switch expression, so a new type does not compile until it has a body here; each record
    // answers its own type(), so the cast holds
    BinaryWriter body =
        switch (command.type()) {
          case REGISTER -> ModelCodec.writeSpec(w, ((RegisterCommand) command).spec(), withRegion);
          case RENEW -> writeKey(w, ((RenewCommand) command).key());
          case CANCEL -> writeKey(w, ((CancelCommand) command).key());
          case SET -> writeSet(w, (SetCommand) command);
          case EVICT -> writeEvict(w, (EvictCommand) command);
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
    if (version != FORMAT_VERSION && version != FORMAT_VERSION_WITHOUT_REGION) {
      throw new CodecException("unsupported command format version " + version);
    }
    RegistryCommand.Type type = RegistryCommand.Type.ofTag((byte) r.readByte());
    long ts = r.readLong();
    RegistryCommand<?> command =
        switch (type) {
          case REGISTER ->
              new RegisterCommand(
                  ts, ModelCodec.readSpec(r, version != FORMAT_VERSION_WITHOUT_REGION));
          case RENEW -> new RenewCommand(ts, readKey(r));
          case CANCEL -> new CancelCommand(ts, readKey(r));
          case SET -> readSet(r, ts);
          case EVICT -> readEvict(r, ts);
          case RENEW_BATCH -> readRenewBatch(r, ts);
        };
    if (!r.atEnd()) {
      throw new CodecException("trailing bytes after " + type + " command");
    }
    return command;
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

  private static BinaryWriter writeEvict(BinaryWriter w, EvictCommand c) {
    w.writeBoolean(c.rollGuardWindow()).writeInt(c.targets().size());
    for (EvictTarget t : c.targets()) {
      writeKey(w, t.key()).writeLong(t.renewTimestamp());
    }
    return w;
  }

  private static EvictCommand readEvict(BinaryReader r, long ts) {
    boolean roll = r.readBoolean();
    int n = r.readInt();
    if (n < 0) {
      throw new CodecException("bad evict target count " + n);
    }
    List<EvictTarget> targets = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      targets.add(new EvictTarget(readKey(r), r.readLong()));
    }
    return new EvictCommand(ts, targets, roll);
  }
}
