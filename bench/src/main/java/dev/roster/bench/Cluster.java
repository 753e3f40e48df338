package dev.roster.bench;

import java.nio.file.Path;

/**
 * The 3 (or n) nodes under test. Indexes are 0-based here; node "N" in messages is index + 1.
 * Control operations throw {@link UnsupportedOperationException} when the cluster was given only as
 * URLs without the commands to control it.
 */
interface Cluster extends AutoCloseable {
  int size();

  String url(int i);

  /** SIGKILL, as in a crash; returns when the process is gone. */
  void kill9(int i);

  /** SIGTERM (graceful shutdown); returns when the process is gone. */
  void terminate(int i);

  /** Starts node i again on its data directory (does not wait for it to be ready). */
  void start(int i);

  /** The node's process id, or -1 if not known. */
  long pid(int i);

  /** The node's log file, or null if not known. */
  Path log(int i);

  /** A one-line description for reports. */
  String describe();

  @Override
  void close();
}
