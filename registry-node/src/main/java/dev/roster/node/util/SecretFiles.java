package dev.roster.node.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Files that hold secrets (tokens, private keys): who besides their owner may touch them. */
public final class SecretFiles {
  private static final Set<PosixFilePermission> WIDER_THAN_OWNER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private SecretFiles() {}

  /**
   * True if the group or others may read, write or execute {@code file}; false if only its owner
   * may, or when the file system has no POSIX permissions (nothing to check) or the file is gone.
   */
  public static boolean openToOthers(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      perms.retainAll(WIDER_THAN_OWNER);
      return !perms.isEmpty();
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
