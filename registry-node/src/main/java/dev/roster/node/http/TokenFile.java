package dev.roster.node.http;

import dev.roster.node.util.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens from a file, one per line, optionally followed by the envs they may write ({@code
 * token prod,uat}); blank lines and lines starting with {@code #} are ignored. Several lines allow
 * a rotation without downtime: add the new token, move the clients, remove the old one. The file is
 * looked at again at most once a second and re-read when it changed, so a change takes effect
 * within about a second, without a restart; a file that cannot be read any more keeps the tokens
 * last read (and says so once).
 *
 * <p>Only SHA-256 digests of the tokens are kept. A presented token is compared with every one of
 * them, in constant time and without stopping at a match, so the answer takes as long for a wrong
 * token as for a missing one or a right one.
 */
final class TokenFile {
  private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
  private static final long RECHECK_NANOS = 1_000_000_000L;

  /** One token: its digest and the envs it may write (empty: every env). */
  record Entry(byte[] digest, Set<String> envs) {
    boolean allows(String env) {
      return envs.isEmpty() || (env != null && envs.contains(env));
    }
  }

  private record Loaded(List<Entry> entries, String first, FileTime modified, long size) {}

  private final Path file;
  private final String what;
  private volatile Loaded loaded;
  private volatile long checkedAt;
  private boolean unreadableReported;

  /**
   * @param what what the tokens are for, in log lines ("admin", "write", "read")
   * @throws IOException when the file cannot be read at start (the node refuses to start)
   */
  TokenFile(Path file, String what) throws IOException {
    this.file = file;
    this.what = what;
    this.loaded = read();
    this.checkedAt = System.nanoTime();
    warnIfReadableByOthers();
    if (loaded.entries().isEmpty()) {
      log.warn("{} token file {} holds no token: every {} request is refused", what, file, what);
    }
  }

  Path path() {
    return file;
  }

  /** The file's first token as last read (what a node presents to the others), or null. */
  String firstToken() {
    refreshIfDue();
    return loaded.first();
  }

  int size() {
    return loaded.entries().size();
  }

  /** The entry whose token is {@code presented} (null or empty: none), or null. */
  Entry match(String presented) {
    refreshIfDue();
    byte[] digest = sha256(presented == null ? "" : presented);
    Entry found = null;
    for (Entry e : loaded.entries()) {
      // no early exit: every answer compares against every token
      if (MessageDigest.isEqual(e.digest(), digest) && presented != null && !presented.isEmpty()) {
        found = e;
      }
    }
    return found;
  }

  private void refreshIfDue() {
    long now = System.nanoTime();
    if (now - checkedAt < RECHECK_NANOS) {
      return;
    }
    synchronized (this) {
      if (now - checkedAt < RECHECK_NANOS) {
        return;
      }
      checkedAt = now;
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        if (modified.equals(loaded.modified()) && size == loaded.size()) {
          return;
        }
        Loaded fresh = read();
        int before = loaded.entries().size();
        loaded = fresh;
        unreadableReported = false;
        log.info(
            "{} tokens reloaded from {}: {} (were {})", what, file, fresh.entries().size(), before);
        warnIfReadableByOthers();
      } catch (IOException | RuntimeException e) {
        if (!unreadableReported) {
          unreadableReported = true;
          log.warn(
              "{} token file {} cannot be read ({}): keeping the {} tokens read before",
              what,
              file,
              e.getClass().getSimpleName(),
              loaded.entries().size());
        }
      }
    }
  }

  private Loaded read() throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    List<Entry> entries = new ArrayList<>();
    String first = null;
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      Set<String> envs = new LinkedHashSet<>();
      if (parts.length == 2) {
        for (String env : parts[1].split(",")) {
          if (!env.isBlank()) {
            envs.add(env.strip());
          }
        }
      }
      entries.add(new Entry(sha256(parts[0]), Set.copyOf(envs)));
      if (first == null) {
        first = parts[0];
      }
    }
    return new Loaded(List.copyOf(entries), first, modified, size);
  }

  private void warnIfReadableByOthers() {
    if (SecretFiles.openToOthers(file)) {
      log.warn(
          "{} token file {} can be read or written by others than its owner: chmod 600 it",
          what,
          file);
    }
  }

  /** One digest per thread: looking the algorithm up for every request costs more than hashing. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is part of every Java platform", e);
            }
          });

  static byte[] sha256(String s) {
    // digest() resets the digest for the thread's next use
    return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
