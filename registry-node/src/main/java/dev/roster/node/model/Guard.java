package dev.roster.node.model;

/**
 * Self-protection counters. They live in the replicated state, so a new leader knows them.
 *
 * <p>Expected renews are derived from the current instance count every time they are read, never
 * accumulated by register/cancel: Eureka accumulates them and its threshold can stop falling, so
 * self-preservation never ends (Netflix/eureka#1267, #1247).
 */
public final class Guard {
  private final GuardPolicy policy;
  private long renewsThisWindow;
  private long renewsLastWindow;

  Guard(GuardPolicy policy) {
    this.policy = policy;
  }

  public GuardPolicy policy() {
    return policy;
  }

  void countRenew() {
    renewsThisWindow++;
  }

  /** Closes the current check window: its renews become the ones protection is judged by. */
  void roll() {
    renewsLastWindow = renewsThisWindow;
    renewsThisWindow = 0;
  }

  void restore(long thisWindow, long lastWindow) {
    renewsThisWindow = thisWindow;
    renewsLastWindow = lastWindow;
  }

  public long renewsThisWindow() {
    return renewsThisWindow;
  }

  public long renewsLastWindow() {
    return renewsLastWindow;
  }

  /** What {@code instances} instances of the default lease owe per window. */
  public long expectedRenews(long instances) {
    return instances * policy.renewsPerInstancePerWindow();
  }

  public long threshold(long instances) {
    return thresholdOf(expectedRenews(instances));
  }

  /** True while the last window saw fewer renews than the threshold: eviction is suppressed. */
  public boolean protecting(long instances) {
    return protectingAt(expectedRenews(instances));
  }

  /** The threshold for a registry that expects {@code expectedRenews} renews per window. */
  public long thresholdOf(long expectedRenews) {
    // the epsilon keeps e.g. 90 x 0.7 at 63, not 62.999... truncated to 62
    return (long) (expectedRenews * policy.threshold() + 1e-9);
  }

  public boolean protectingAt(long expectedRenews) {
    return renewsLastWindow < thresholdOf(expectedRenews);
  }
}
