package dev.roster.client;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What to {@linkplain RosterClient#fetch(Query) fetch}: an application, the statuses wanted
 * (default UP only) and optionally one zone (default all zones). Immutable.
 *
 * <pre>{@code
 * client.fetch(Query.app("billing.api").status(Status.UP, Status.WAITING).zone("sh001"))
 * }</pre>
 */
public final class Query {
  private final String appid;
  private final Set<Status> statuses;
  private final String zone;
  private final boolean consistent;

  private Query(String appid, Set<Status> statuses, String zone, boolean consistent) {
    this.appid = appid;
    this.statuses = statuses;
    this.zone = zone;
    this.consistent = consistent;
  }

  /** The UP instances of {@code appid} in every zone. */
  public static Query app(String appid) {
    Args.text(appid, "appid");
    return new Query(appid, EnumSet.of(Status.UP), null, false);
  }

  /** Only instances with one of these statuses. */
  public Query status(Status first, Status... more) {
    Args.notNull(more, "status");
    for (Status m : more) {
      Args.notNull(m, "status");
    }
    EnumSet<Status> s = EnumSet.of(Args.notNull(first, "status"), more);
    return new Query(appid, s, zone, consistent);
  }

  /** Only instances in this zone; {@code null} for every zone. */
  public Query zone(String zone) {
    if (zone != null && zone.isBlank()) {
      throw new IllegalArgumentException("zone: must not be blank (null = every zone)");
    }
    return new Query(appid, statuses, zone, consistent);
  }

  /**
   * A linearizable read: the node answers only after applying everything the leader had committed
   * when the read arrived (it asks the leader), so a write acknowledged to anyone is visible. Costs
   * a round trip to the leader and fails while there is none. Default: off, the node answers from
   * its own state, which may lag the leader by the commit delay.
   */
  public Query consistent() {
    return new Query(appid, statuses, zone, true);
  }

  public boolean isConsistent() {
    return consistent;
  }

  public String appid() {
    return appid;
  }

  public Set<Status> statuses() {
    return EnumSet.copyOf(statuses);
  }

  /** The zone filter, or {@code null} for every zone. */
  public String zone() {
    return zone;
  }

  /** The status bitmask of the wire protocol (1 up, 2 waiting, 3 both). */
  int statusMask() {
    int mask = 0;
    for (Status s : statuses) {
      mask |= s.code();
    }
    return mask;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Query q
        && appid.equals(q.appid)
        && statuses.equals(q.statuses)
        && Objects.equals(zone, q.zone)
        && consistent == q.consistent;
  }

  @Override
  public int hashCode() {
    return Objects.hash(appid, statuses, zone, consistent);
  }

  @Override
  public String toString() {
    return "Query{"
        + appid
        + ", status "
        + statuses
        + (zone == null ? "" : ", zone " + zone)
        + (consistent ? ", consistent" : "")
        + "}";
  }
}
