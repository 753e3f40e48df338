package dev.roster.node.raft;

import static dev.roster.node.util.Concurrency.daemonThreads;

import com.alipay.sofa.jraft.entity.PeerId;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shortens failover after a leader dies or drops off the network. A follower normally needs a full
 * election timeout without heartbeats (plus a random delay) before it campaigns — 1 to 1.5 s with a
 * 1 s timeout. Followers probe the leader's Raft port every {@value #PROBE_EVERY_MS} ms and shorten
 * their election timeout, so the election starts within a few hundred milliseconds, when the probe
 * says the leader is gone (and the random delay JRaft adds to the timeout with it):
 *
 * <ul>
 *   <li>the port refuses connections: the machine is up, the process is gone (kill -9);
 *   <li>the leader's name no longer resolves: its container was killed and left the network;
 *   <li>{@value #SILENT_PROBES} connects in a row time out: nothing answers at that address, as for
 *       a black-holed host, a cut cable or a container whose address vanished. A live leader's
 *       kernel completes a TCP handshake in well under {@value #CONNECT_TIMEOUT_MS} ms even when
 *       its process is paused or busy.
 * </ul>
 *
 * The normal timeout comes back as soon as a new leader is known.
 *
 * <p>Only liveness changes: votes, terms and commit rules are untouched, so safety is Raft's. A
 * wrong suspicion costs nothing either: JRaft starts a pre-vote only once it has not heard from the
 * leader for the (short) timeout, and the other members refuse it while they still do; and the
 * suspicion ends as soon as a probe of the suspect is answered again.
 */
final class CrashDetector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CrashDetector.class);
  private static final long PROBE_EVERY_MS = 100;
  private static final int CONNECT_TIMEOUT_MS = 100;

  /** Connects in a row without any answer before the leader counts as unreachable. */
  private static final int SILENT_PROBES = 2;

  /** Give up the short timeout if no leader emerged by then (e.g. no quorum left). */
  private static final long MAX_FAST_MS = 10_000;

  private final RaftNode raft;
  private final int normalTimeoutMs;
  private final int fastTimeoutMs;
  private final int normalDelayMs;
  private final int fastDelayMs;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemonThreads("roster-crash-detector"));
  private volatile PeerId suspect;
  private long fastSince;
  private int silentProbes;

  CrashDetector(RaftNode raft, int normalTimeoutMs) {
    this.raft = raft;
    this.normalTimeoutMs = normalTimeoutMs;
    this.fastTimeoutMs = Math.max(100, normalTimeoutMs / 5);
    this.normalDelayMs = RaftNode.electionDelayMs(normalTimeoutMs);
    // the normal random delay (half the normal timeout) would dwarf the short timeout; but the
    // survivors usually detect the same death within a few ms of each other, so this delay is
    // all that separates their campaigns: with 0-100 ms, 3 of 20 measured failovers split the vote
    this.fastDelayMs = fastTimeoutMs;
  }

  void start() {
    timer.scheduleWithFixedDelay(
        this::probe, PROBE_EVERY_MS, PROBE_EVERY_MS, TimeUnit.MILLISECONDS);
  }

  private void probe() {
    try {
      Optional<PeerId> leader = raft.raftLeader();
      if (suspect != null) {
        boolean newLeader = leader.isPresent() && !leader.get().equals(suspect);
        // a wrong suspicion (or a leader back before anyone replaced it) must not keep this node
        // from redirecting writes to it: it answers again, it is the leader again
        boolean answersAgain = !newLeader && leader.isPresent() && probe(suspect) == Probe.ANSWERS;
        if (answersAgain) {
          log.info("leader {} answers again", suspect);
        }
        if (newLeader
            || answersAgain
            || raft.isLeader()
            || System.nanoTime() - fastSince > MAX_FAST_MS * 1_000_000) {
          raft.resetElectionTimeout(normalTimeoutMs, normalDelayMs);
          suspect = null;
        }
        return;
      }
      if (leader.isEmpty() || leader.get().equals(raft.self()) || raft.isLeader()) {
        return;
      }
      Probe p = probe(leader.get());
      silentProbes = p == Probe.SILENT ? silentProbes + 1 : 0;
      String why =
          switch (p) {
            case REFUSED -> "refuses connections (process down)";
            case UNRESOLVED -> "no longer resolves (its container left the network)";
            case SILENT ->
                silentProbes >= SILENT_PROBES
                    ? "does not answer connects (host unreachable)"
                    : null;
            case ANSWERS -> null;
          };
      if (why != null) {
        suspect = leader.get();
        fastSince = System.nanoTime();
        silentProbes = 0;
        log.info("leader {} {}: campaigning early", suspect, why);
        raft.resetElectionTimeout(fastTimeoutMs, fastDelayMs);
      }
    } catch (RuntimeException e) {
      log.debug("crash probe failed", e);
    }
  }

  /** The leader found dead and not yet replaced, or null. */
  PeerId suspect() {
    return suspect;
  }

  /** What one connect to a peer's Raft port says about it. */
  enum Probe {
    ANSWERS,
    REFUSED,
    UNRESOLVED,
    SILENT
  }

  static Probe probe(PeerId peer) {
    InetSocketAddress address = new InetSocketAddress(peer.getIp(), peer.getPort());
    if (address.isUnresolved()) {
      return Probe.UNRESOLVED;
    }
    try (Socket s = new Socket()) {
      s.connect(address, CONNECT_TIMEOUT_MS);
      return Probe.ANSWERS;
    } catch (ConnectException e) {
      return e.getMessage() != null && e.getMessage().contains("refused")
          ? Probe.REFUSED
          : Probe.SILENT;
    } catch (SocketTimeoutException e) {
      return Probe.SILENT;
    } catch (IOException e) {
      return Probe
          .ANSWERS; // an error of ours (no route here, no ports left) says nothing of the peer
    }
  }

  /** True only when the peer's Raft port refuses connections: its process is gone. */
  static boolean refusesConnections(PeerId peer) {
    return probe(peer) == Probe.REFUSED;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
