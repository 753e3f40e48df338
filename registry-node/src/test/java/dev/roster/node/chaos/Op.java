package dev.roster.node.chaos;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One client operation of the history: what was asked, when it was invoked and completed
 * (nanoseconds on the runner's monotonic clock, relative to the run's start), and how it ended.
 *
 * <p>{@code outcome} is one of
 *
 * <ul>
 *   <li>{@code ok} — code 0; {@code obs} holds what the answer showed;
 *   <li>{@code not_found} — -404, a definite answer (for reads: the application is absent);
 *   <li>{@code not_modified} — -304 (poll);
 *   <li>{@code fail} — definitely not applied (never delivered: every node refused the connection;
 *       or a read that failed, which changes nothing);
 *   <li>{@code unknown} — a write whose fate is unknown (-503, -500, timeout, connection lost after
 *       sending): it may have been applied at any time after its invocation, or never.
 * </ul>
 *
 * For {@code unknown} ops {@code complete} is when the client gave up; the checkers treat the op as
 * never completing.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Op(
    long id,
    int round,
    int client,
    String kind,
    String app,
    String host,
    Integer node,
    Integer status,
    String tag,
    long invoke,
    long complete,
    String outcome,
    Integer code,
    String message,
    Map<String, Obs> obs,
    Long latest,
    Long since) {

  public static final String REGISTER = "register";
  public static final String RENEW = "renew";
  public static final String CANCEL = "cancel";
  public static final String SET = "set";

  /** fetch with consistent=true: must be linearizable. */
  public static final String CREAD = "fetch-consistent";

  /** fetch from one node's local state: may be stale, must not be invented. */
  public static final String SREAD = "fetch-stale";

  public static final String POLL = "poll";

  public static final String OK = "ok";
  public static final String NOT_FOUND = "not_found";
  public static final String NOT_MODIFIED = "not_modified";
  public static final String FAIL = "fail";
  public static final String UNKNOWN = "unknown";

  /**
   * An instance as an answer showed it, reduced to what the workload wrote: the register that
   * created this incarnation ({@code version} = that register's tag), the status, and the tag of
   * the last {@code set} ({@code meta}, "" when no set happened since the register).
   */
  public record Obs(String version, int status, String meta) {}

  @JsonIgnore
  public boolean isWrite() {
    return kind.equals(REGISTER) || kind.equals(RENEW) || kind.equals(CANCEL) || kind.equals(SET);
  }

  @JsonIgnore
  public boolean isUnknown() {
    return outcome.equals(UNKNOWN);
  }
}
