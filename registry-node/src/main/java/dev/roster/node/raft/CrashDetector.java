package dev.roster.node.raft;

import com.alipay.sofa.jraft.entity.PeerId;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shortens failover after a leader <em>process</em> dies. A follower normally needs a full
 * election timeout without heartbeats (plus a random delay) before it campaigns — 1 to 3 s with
 * a 1 s timeout. But when the leader's machine is up and its process is gone, the leader's Raft
 * port refuses connections at once. Followers probe it; on a refusal they shorten their election
 * timeout so the election starts within a few hundred milliseconds, and restore it as soon as a
 * new leader is known.
 *
 * <p>Only liveness changes: votes, terms and commit rules are untouched, so safety is Raft's.
 * A partition or a paused process does not refuse connections (the probe times out or the
 * kernel still accepts), so those cases keep the normal, conservative timeout.
 */
final class CrashDetector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CrashDetector.class);
  private static final long PROBE_EVERY_MS = 100;
  private static final int CONNECT_TIMEOUT_MS = 200;
  /** Give up the short timeout if no leader emerged by then (e.g. no quorum left). */
  private static final long MAX_FAST_MS = 10_000;

  private final RaftRegistry raft;
  private final int normalTimeoutMs;
  private final int fastTimeoutMs;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "roster-crash-detector");
    t.setDaemon(true);
    return t;
  });
  private volatile PeerId suspect;
  private long fastSince;

  CrashDetector(RaftRegistry raft, int normalTimeoutMs) {
    this.raft = raft;
    this.normalTimeoutMs = normalTimeoutMs;
    this.fastTimeoutMs = Math.max(100, normalTimeoutMs / 5);
  }

  void start() {
    timer.scheduleWithFixedDelay(this::probe, PROBE_EVERY_MS, PROBE_EVERY_MS, TimeUnit.MILLISECONDS);
  }

  private void probe() {
    try {
      Optional<PeerId> leader = raft.raftLeader();
      if (suspect != null) {
        boolean newLeader = leader.isPresent() && !leader.get().equals(suspect);
        if (newLeader || raft.isLeader() || System.nanoTime() - fastSince > MAX_FAST_MS * 1_000_000) {
          raft.resetElectionTimeout(normalTimeoutMs);
          suspect = null;
        }
        return;
      }
      if (leader.isEmpty() || leader.get().equals(raft.self()) || raft.isLeader()) {
        return;
      }
      if (refusesConnections(leader.get())) {
        suspect = leader.get();
        fastSince = System.nanoTime();
        log.info("leader {} refuses connections (process down): campaigning early", suspect);
        raft.resetElectionTimeout(fastTimeoutMs);
      }
    } catch (RuntimeException e) {
      log.debug("crash probe failed", e);
    }
  }

  /** The leader found dead and not yet replaced, or null. */
  PeerId suspect() {
    return suspect;
  }

  /** True only when the peer's Raft port refuses connections: its process is gone. */
  static boolean refusesConnections(PeerId peer) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(peer.getIp(), peer.getPort()), CONNECT_TIMEOUT_MS);
      return false;
    } catch (ConnectException e) {
      return e.getMessage() != null && e.getMessage().contains("refused");
    } catch (IOException e) {
      return false; // a timeout says nothing about the process: keep the normal timeout
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
