package dev.roster.node.testing;

import dev.roster.node.command.BinaryWriter;
import dev.roster.node.command.CommandCodec;
import dev.roster.node.command.RegisterCommand;
import dev.roster.node.command.RegistryCommand;
import dev.roster.node.model.Instance;
import dev.roster.node.model.InstanceSpec;
import dev.roster.node.raft.RegistrySnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The storage formats of version 1, before regions: a log entry and a snapshot file as a node of
 * that version wrote them, for tests that prove the current code still reads them. The layout is
 * copied by hand from the version 1 encoder (not produced by the current one, which would prove
 * nothing), and {@code CommandCodecTest} and {@code RegistrySnapshotTest} check it byte for byte
 * against fixtures that encoder wrote. A region, which version 1 cannot hold, is dropped.
 */
public final class FormatV1 {
  private static final int SNAPSHOT_MAGIC = 0x52535452; // "RSTR"

  private FormatV1() {}

  /**
   * {@code command} as a version 1 log entry. Only REGISTER's body changed in version 2; every
   * other body is the same, so those entries differ in their version byte alone.
   */
  public static byte[] entry(RegistryCommand<?> command) {
    if (command.type() != RegistryCommand.Type.REGISTER) {
      byte[] bytes = CommandCodec.encode(command);
      bytes[0] = 1;
      return bytes;
    }
    InstanceSpec s = ((RegisterCommand) command).spec();
    // [version 1][tag 1 = REGISTER][ts]
    BinaryWriter w = new BinaryWriter().writeByte(1).writeByte(1).writeLong(command.ts());
    w.writeString(s.zone()).writeString(s.env()).writeString(s.appid()).writeString(s.hostname());
    w.writeStrings(s.addrs()).writeString(s.version()).writeInt(s.status().code());
    w.writeStringMap(s.metadata());
    return w.toByteArray();
  }

  /** Writes {@code snapshot} as a version 1 snapshot file. */
  public static void writeSnapshot(RegistrySnapshot snapshot, Path file) throws IOException {
    BinaryWriter body = new BinaryWriter();
    body.writeLong(snapshot.lastAppliedTs())
        .writeLong(snapshot.renewsThisWindow())
        .writeLong(snapshot.renewsLastWindow());
    body.writeInt(snapshot.apps().size());
    for (RegistrySnapshot.AppState app : snapshot.apps()) {
      body.writeString(app.key().appid()).writeString(app.key().env());
      body.writeLong(app.latestTimestamp()).writeInt(app.instances().size());
      for (Instance i : app.instances()) {
        body.writeString(i.zone())
            .writeString(i.env())
            .writeString(i.appid())
            .writeString(i.hostname());
        body.writeStrings(i.addrs()).writeString(i.version()).writeInt(i.status().code());
        body.writeStringMap(i.metadata());
        body.writeLong(i.regTimestamp()).writeLong(i.upTimestamp()).writeLong(i.renewTimestamp());
        body.writeLong(i.dirtyTimestamp()).writeLong(i.latestTimestamp());
      }
    }
    byte[] b = body.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(b);
    ByteBuffer out = ByteBuffer.allocate(4 + 4 + b.length + 8);
    out.putInt(SNAPSHOT_MAGIC).putInt(1).put(b).putLong(crc.getValue());
    Files.write(file, out.array());
  }
}
