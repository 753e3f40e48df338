package dev.roster.node.command;

import dev.roster.node.model.LogPosition;
import dev.roster.node.model.Registry;

/**
 * One write to the registry, as it travels through the Raft log. Every command carries the leader's
 * wall-clock time in Unix nanoseconds ({@link #ts()}), stamped before it was proposed, so applying
 * it never reads a clock.
 *
 * <p>A command applies itself and reports everything the state machine records (see {@link
 * ApplyResult}), so the state machine has no code per command type. A new command type is a new
 * record here, a new {@link Type} and its two branches in {@link CommandCodec}: the compiler points
 * at each.
 *
 * @param <R> the type of the value the proposer is answered with
 */
public sealed interface RegistryCommand<R>
    permits RegisterCommand,
        RenewCommand,
        CancelCommand,
        SetCommand,
        EvictCommand,
        RenewBatchCommand,
        EurekaRegisterCommand,
        EurekaStatusCommand {

  long ts();

  Type type();

  /** Applies this command to the registry and says what happened; never throws for a rejection. */
  ApplyResult<R> applyTo(Registry registry);

  /**
   * Applies this command from the log entry at {@code at}; only commands that record where a change
   * came from (the eviction log) need the position.
   */
  default ApplyResult<R> applyTo(Registry registry, LogPosition at) {
    return applyTo(registry);
  }

  /** The stable one-byte tag of each command type in the log. Never renumber. */
  enum Type {
    REGISTER(1),
    RENEW(2),
    CANCEL(3),
    SET(4),
    EVICT(5),
    RENEW_BATCH(6),
    EUREKA_REGISTER(7),
    EUREKA_STATUS(8);

    final byte tag;

    Type(int tag) {
      this.tag = (byte) tag;
    }

    static Type ofTag(byte tag) {
      for (Type t : values()) {
        if (t.tag == tag) {
          return t;
        }
      }
      throw new CodecException("unknown command type " + tag);
    }
  }
}
