package dev.roster.node.command;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.node.model.EvictTarget;
import dev.roster.node.model.InstanceKey;
import dev.roster.node.model.SetChange;
import dev.roster.node.model.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A command the decoder would reject must not be buildable: the leader applies its own command
 * object without decoding it, while followers decode the log entry and fail on it — the replicas
 * would diverge (or every follower would stop).
 */
class CommandConstructionTest {
  private static final List<SetChange> CHANGES = List.of(new SetChange("h", Status.UP, null));

  @Test
  void setCommandWithoutChangesIsRejectedBeforeItCanReachTheLog() {
    assertThatThrownBy(() -> new SetCommand(1, "e", "a", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void commandsWithoutEnvAppidOrHostnameAreRejectedBeforeTheyCanReachTheLog() {
    assertThatThrownBy(() -> new RenewCommand(1, new InstanceKey(null, "a", "h")))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new RenewCommand(1, new InstanceKey("e", null, "h")))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new RenewCommand(1, new InstanceKey("e", "a", null)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new CancelCommand(1, new InstanceKey(null, "a", "h")))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new CancelCommand(1, new InstanceKey("e", null, "h")))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new CancelCommand(1, new InstanceKey("e", "a", null)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new SetCommand(1, null, "a", CHANGES))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new SetCommand(1, "e", null, CHANGES))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new RegisterCommand(1, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new EvictTarget(new InstanceKey(null, "a", "h"), 1))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new EvictTarget(new InstanceKey("e", null, "h"), 1))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new EvictTarget(new InstanceKey("e", "a", null), 1))
        .isInstanceOf(NullPointerException.class);
  }
}
