package dev.roster.node.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may do what (docs/security.md). Every request is of one kind:
 *
 * <ul>
 *   <li><b>admin</b>: the {@code /cluster/*} writes. They need an admin token; a node without an
 *       admin token file takes them from loopback only;
 *   <li><b>write</b>: registry writes (discovery's register, renew, cancel, set and Eureka's
 *       writes). With a write token file they need a write token (or an admin one), and a token
 *       scoped to envs writes only those;
 *   <li><b>read</b>: every other endpoint but the open ones. With a read token file they need a
 *       read, write or admin token;
 *   <li><b>open</b>: {@code /health}, {@code /ready} and the console's files (which hold no data).
 * </ul>
 *
 * A token comes as {@code Authorization: Bearer <token>}, or as the password of {@code
 * Authorization: Basic} (what a Eureka client sends for {@code http://user:token@host/eureka/}).
 * Admin tokens are also what the nodes use among themselves ({@link #nodeToken}).
 */
public final class AccessControl {
  private static final Logger log = LoggerFactory.getLogger(AccessControl.class);

  enum Kind {
    OPEN,
    READ,
    WRITE,
    ADMIN
  }

  private static final Set<String> DISCOVERY_WRITES =
      Set.of("/discovery/register", "/discovery/renew", "/discovery/cancel", "/discovery/set");

  private final TokenFile admin;
  private final TokenFile write;
  private final TokenFile read;
  private final String eurekaEnv;
  private final AtomicLong lastRefusalLogged = new AtomicLong(System.nanoTime() - 2_000_000_000L);
  private final AtomicLong refusalsNotLogged = new AtomicLong();

  AccessControl(TokenFile admin, TokenFile write, TokenFile read, String eurekaEnv) {
    this.admin = admin;
    this.write = write;
    this.read = read;
    this.eurekaEnv = eurekaEnv;
  }

  /** No tokens at all: admin writes from loopback only, everything else open. */
  static AccessControl open() {
    return new AccessControl(null, null, null, "prod");
  }

  /**
   * Reads the token files that are set (null: not set) and says at start what is protected.
   *
   * @throws IOException when a file that is set cannot be read
   */
  public static AccessControl fromFiles(Path admin, Path write, Path read, String eurekaEnv)
      throws IOException {
    AccessControl a =
        new AccessControl(
            admin == null ? null : new TokenFile(admin, "admin"),
            write == null ? null : new TokenFile(write, "write"),
            read == null ? null : new TokenFile(read, "read"),
            eurekaEnv);
    log.info(
        "access: admin writes {}; registry writes {}; reads {}",
        admin == null
            ? "from loopback only (no admin-token-file)"
            : "need one of " + a.admin.size() + " admin tokens",
        write == null ? "open" : "need one of " + a.write.size() + " write tokens",
        read == null ? "open" : "need one of " + a.read.size() + " read tokens");
    return a;
  }

  /**
   * The env a write names: its {@code env} parameter, or a Eureka path's (default the setting's).
   */
  String envOf(boolean raw, Map<String, String> pathParams, Params params) {
    return raw ? pathParams.getOrDefault("env", eurekaEnv) : params.optional("env");
  }

  /** The token this node presents to the other nodes, if it has one. */
  public Optional<String> nodeToken() {
    return Optional.ofNullable(admin == null ? null : admin.firstToken());
  }

  static Kind kindOf(String method, String path) {
    boolean get = method.equals("GET") || method.equals("HEAD");
    if (path.startsWith("/cluster/") && !get) {
      return Kind.ADMIN;
    }
    if (DISCOVERY_WRITES.contains(path) && !get) {
      return Kind.WRITE;
    }
    if ((path.equals("/eureka") || path.startsWith("/eureka/")) && !get) {
      return Kind.WRITE;
    }
    if (path.equals("/health")
        || path.equals("/ready")
        || path.equals("/")
        || path.equals("/ui")
        || path.startsWith("/ui/")) {
      return Kind.OPEN;
    }
    return Kind.READ;
  }

  /**
   * What a request's credentials got it: a refusal, or leave to go on, with the write token's envs
   * (null: any env).
   */
  record Decision(Kind kind, Set<String> envs, Reply refusal) {
    static Decision granted(Kind kind, Set<String> envs) {
      return new Decision(kind, envs, null);
    }

    static Decision refused(Kind kind, Reply refusal) {
      return new Decision(kind, null, refusal);
    }

    boolean isRefused() {
      return refusal != null;
    }
  }

  /** Checks the request's credentials for its kind; when granted, {@link #scopeRefusal} follows. */
  Decision check(Kind kind, String authorization, SocketAddress remote, boolean raw) {
    Decision any = Decision.granted(kind, null);
    switch (kind) {
      case OPEN:
        return any;
      case READ:
        if (read == null) {
          return any;
        }
        break;
      case WRITE:
        if (write == null) {
          return any;
        }
        break;
      case ADMIN:
        if (admin == null) {
          return isLoopback(remote)
              ? any
              : Decision.refused(
                  kind,
                  refused(
                      Code.FORBIDDEN,
                      "admin requests are taken from loopback only: this node has no"
                          + " admin-token-file",
                      kind,
                      remote,
                      raw));
        }
        break;
      default:
        throw new IllegalStateException(kind.toString());
    }
    String token = tokenOf(authorization);
    // every file that could grant this kind is asked, whatever the token, so a wrong or missing
    // token takes the time a right one does
    TokenFile.Entry asAdmin = admin == null ? null : admin.match(token);
    TokenFile.Entry asWrite = write == null || kind == Kind.ADMIN ? null : write.match(token);
    TokenFile.Entry asRead = read == null || kind != Kind.READ ? null : read.match(token);
    if (asAdmin != null || asRead != null) {
      return any;
    }
    if (asWrite != null) {
      return Decision.granted(
          kind, kind == Kind.WRITE && !asWrite.envs().isEmpty() ? asWrite.envs() : null);
    }
    return Decision.refused(
        kind,
        refused(
            Code.UNAUTHORIZED,
            (token == null ? "missing token" : "wrong token")
                + ": "
                + kind.name().toLowerCase(Locale.ROOT)
                + " requests need Authorization: Bearer <token>",
            kind,
            remote,
            raw));
  }

  /** A write of {@code env} with a token scoped to other envs: 403; else null. */
  Reply scopeRefusal(Decision granted, Supplier<String> env, SocketAddress remote, boolean raw) {
    if (granted.envs() == null) {
      return null;
    }
    String e = env.get();
    if (e != null && granted.envs().contains(e)) {
      return null;
    }
    return refused(
        Code.FORBIDDEN,
        "this token may not write env " + (e == null ? "(none given)" : e),
        granted.kind(),
        remote,
        raw);
  }

  private Reply refused(Code code, String message, Kind kind, SocketAddress remote, boolean raw) {
    logRefusal(code, message, remote);
    Map<String, String> headers =
        code == Code.UNAUTHORIZED
            ? Map.of("WWW-Authenticate", "Bearer realm=\"roster\"")
            : Map.of();
    if (raw) {
      // Eureka's side speaks HTTP statuses and plain bodies, not the envelope
      return new Reply(
          code,
          message,
          RawBody.text("text/plain; charset=utf-8", message).withStatus(code.status.code()),
          headers);
    }
    return new Reply(code, message, null, headers);
  }

  /** One line per refusal, at most one a second (a scan must not flood the log); never a token. */
  private void logRefusal(Code code, String message, SocketAddress remote) {
    long now = System.nanoTime();
    long last = lastRefusalLogged.get();
    if (now - last >= 1_000_000_000L && lastRefusalLogged.compareAndSet(last, now)) {
      long skipped = refusalsNotLogged.getAndSet(0);
      log.warn(
          "refused a request from {} ({}): {}{}",
          remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : remote,
          code.value,
          message,
          skipped > 0 ? " (and " + skipped + " more refusals in the last second)" : "");
    } else {
      refusalsNotLogged.incrementAndGet();
    }
  }

  /** The token of a Bearer or Basic header; null when absent or malformed. */
  static String tokenOf(String authorization) {
    if (authorization == null) {
      return null;
    }
    String h = authorization.strip();
    int space = h.indexOf(' ');
    if (space < 0) {
      return null;
    }
    String scheme = h.substring(0, space).toLowerCase(Locale.ROOT);
    String value = h.substring(space + 1).strip();
    if (value.isEmpty()) {
      return null;
    }
    if (scheme.equals("bearer")) {
      return value;
    }
    if (scheme.equals("basic")) {
      try {
        String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 || colon == decoded.length() - 1 ? null : decoded.substring(colon + 1);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  private static boolean isLoopback(SocketAddress remote) {
    if (remote instanceof InetSocketAddress a) {
      InetAddress address = a.getAddress();
      return address != null && address.isLoopbackAddress();
    }
    return false;
  }
}
