package dev.roster.client;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/** What registrations and watches share with their client: settings, transport and threads. */
record Core(
    Settings settings,
    Nodes nodes,
    Transport transport,
    ScheduledExecutorService scheduler,
    ExecutorService events,
    Wire wire) {

  /** A call of the contract with the ordinary per-attempt timeout. */
  Call call(boolean write, String path, Form params) {
    return new Call(write, path, params, settings.requestTimeout());
  }

  /** How long a caller of a sync method waits for one operation at most (it ends before). */
  Duration syncBound() {
    return settings.deadline().plus(settings.requestTimeout()).plusSeconds(1);
  }
}
