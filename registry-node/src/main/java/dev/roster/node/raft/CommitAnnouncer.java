package dev.roster.node.raft;

import com.alipay.sofa.jraft.Node;
import dev.roster.node.model.AppKey;
import java.util.Set;

/**
 * The leader's commit announcement. A follower learns that an entry is committed only from the
 * leader's next append or heartbeat, and heartbeats go out every election timeout / 10: in a quiet
 * moment a change could sit unapplied on the followers for 100 ms (with the default 1 s timeout),
 * and so would the long polls parked there. So once the leader has applied a change that pollers
 * see (not a renew) and has nothing more in its log, it runs a readIndex round: JRaft confirms
 * leadership with a heartbeat to every follower, and heartbeats carry the commit index, so
 * followers apply the change one RPC later. While more entries are in flight it waits: they are
 * sent after the commit, carry the commit index themselves, and their own apply checks again — a
 * stream of registers costs no extra heartbeats.
 */
final class CommitAnnouncer implements ApplyListener {
  private final RaftNode raft;
  private final RegistryStateMachine fsm;
  private final ReadIndexRounds rounds;
  private final long electionTimeoutMs;
  // a change was applied on this leader and not yet announced (state-machine thread only)
  private boolean announcePending;

  CommitAnnouncer(
      RaftNode raft, RegistryStateMachine fsm, ReadIndexRounds rounds, long electionTimeoutMs) {
    this.raft = raft;
    this.fsm = fsm;
    this.rounds = rounds;
    this.electionTimeoutMs = electionTimeoutMs;
  }

  @Override
  public void onApplied(Set<AppKey> changed) {
    if (changed == null || !fsm.isLeader()) {
      return;
    }
    if (!changed.isEmpty()) {
      announcePending = true;
    }
    Node n = raft.node();
    if (!announcePending || n == null || n.getLastLogIndex() > fsm.appliedIndex()) {
      return;
    }
    announcePending = false;
    // a heartbeat carries the commit index only up to what that follower has acknowledged: the
    // follower that was not needed for the majority may not have answered the append yet, and
    // the second round (one round trip later) reaches it once it has
    long timeout = electionTimeoutMs;
    rounds.readIndex(timeout).thenCompose(x -> rounds.readIndex(timeout)).exceptionally(e -> null);
  }
}
