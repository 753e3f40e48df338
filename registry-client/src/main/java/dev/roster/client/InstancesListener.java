package dev.roster.client;

/**
 * Told about each new version of a watched application, once and in order. Called on the client's
 * single event thread: return quickly, hand long work to your own executor.
 */
@FunctionalInterface
public interface InstancesListener {
  /** {@code current} replaces everything known before; it holds the UP instances only. */
  void onChange(AppInstances current);
}
