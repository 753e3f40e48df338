package dev.roster.node.raft;

import dev.roster.node.model.AppKey;
import java.util.Set;

/** Told, on the state-machine thread and after the lock is released, which applications changed. */
@FunctionalInterface
public interface ApplyListener {
  /**
   * Called after every applied batch; {@code changed} is empty when the batch changed nothing
   * pollers see (renews only), and {@code null} means "everything may have changed" (a snapshot was
   * installed).
   */
  void onApplied(Set<AppKey> changed);
}
