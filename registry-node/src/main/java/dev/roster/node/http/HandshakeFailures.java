package dev.roster.node.http;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed TLS handshakes on the HTTP port (no client certificate, one from another CA, an expired
 * one, a client that does not trust this node): one log line a second at most, naming the peer and
 * the reason, so an operator sees why a client cannot connect and a scanner cannot flood the log.
 */
final class HandshakeFailures {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
  private static final long EVERY_NANOS = 1_000_000_000L;

  private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - EVERY_NANOS);
  private final AtomicLong unlogged = new AtomicLong();

  void report(SocketAddress peer, SSLException failure) {
    long now = System.nanoTime();
    long last = lastLogged.get();
    if (now - last < EVERY_NANOS || !lastLogged.compareAndSet(last, now)) {
      unlogged.incrementAndGet();
      return;
    }
    long more = unlogged.getAndSet(0);
    log.warn(
        "TLS handshake with {} failed: {}{}",
        peer,
        failure.getMessage(),
        more == 0 ? "" : " (and " + more + " more since the last line)");
  }
}
