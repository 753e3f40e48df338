package dev.roster.node.tls;

import dev.roster.node.util.SecretFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's TLS: the certificate it presents on HTTP and to the other nodes, and whom it believes.
 * The files are looked at every second; when one changes they are read again and, if they make a
 * usable set, new connections use them (connections already open keep theirs). A set that cannot be
 * used (half-written, a key that does not match) leaves the previous one in place and is logged
 * once.
 *
 * <p>Three consumers: the HTTP server ({@link #newServerEngine()}: TLS 1.2 or 1.3, client
 * certificates required if a client CA is set), the node-to-node HTTP client ({@link
 * #peerContext()}: trusts the cluster CA only, presents the node's certificate), and Raft, whose
 * transport (bolt) reads a PKCS#12 key store file ({@link #raftKeyStore()}) on every new
 * connection: it is rewritten, owner-only, whenever the files change.
 */
public final class NodeTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeTls.class);

  /** The protocols every TLS endpoint of a node speaks. */
  public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final TlsFiles files;
  private final Path raftKeyStore;
  private final char[] raftKeyStorePassword;
  private final SSLContext server;
  private final SSLContext peer;
  private final ScheduledExecutorService watcher;
  private volatile Loaded loaded;
  private List<FileStamp> stamps;
  private String lastFailure;

  private record Loaded(
      TlsMaterial material,
      X509ExtendedKeyManager keys,
      X509ExtendedTrustManager cluster,
      X509ExtendedTrustManager httpClients) {
    static Loaded of(TlsMaterial m) {
      return new Loaded(
          m,
          m.keyManager(),
          TlsMaterial.trustManager(m.clusterCas()),
          TlsMaterial.trustManager(m.httpClientCas()));
    }
  }

  private record FileStamp(FileTime modified, long size) {
    static FileStamp of(Path p) {
      try {
        return new FileStamp(Files.getLastModifiedTime(p), Files.size(p));
      } catch (IOException e) {
        return new FileStamp(FileTime.fromMillis(0), -1);
      }
    }
  }

  private NodeTls(TlsFiles files, Path raftKeyStore) {
    this.files = files;
    this.raftKeyStore = raftKeyStore;
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    this.raftKeyStorePassword = HexFormat.of().formatHex(secret).toCharArray();
    this.stamps = stamps();
    this.loaded = Loaded.of(TlsMaterial.read(files));
    writeRaftKeyStore(loaded.material());
    this.server = context(new CurrentKeys(), new CurrentTrust(true));
    this.peer = context(new CurrentKeys(), new CurrentTrust(false));
    if (SecretFiles.openToOthers(files.key())) {
      log.warn(
          "TLS key file {} can be read or written by others than its owner: chmod 600 it",
          files.key());
    }
    warnIfExpiringSoon(loaded.material());
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "roster-tls-reload");
              t.setDaemon(true);
              return t;
            });
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Reads {@code files} and starts watching them.
   *
   * @param raftKeyStore where to keep the key store Raft's transport reads
   * @throws TlsException when the files cannot be used (the node must not start)
   */
  public static NodeTls start(TlsFiles files, Path raftKeyStore) {
    return new NodeTls(files, raftKeyStore);
  }

  /** Whether HTTP clients must present a certificate (a client CA is configured). */
  public boolean clientCertificatesRequired() {
    return files.clientCa() != null;
  }

  /** A server-side engine for one new HTTP connection, with the current certificate. */
  public SSLEngine newServerEngine() {
    SSLEngine engine = server.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(PROTOCOLS);
    engine.setNeedClientAuth(clientCertificatesRequired());
    return engine;
  }

  /** For this node's HTTP calls to the other nodes: trusts the cluster CA only. */
  public SSLContext peerContext() {
    return peer;
  }

  /** The parameters of {@link #peerContext()}: TLS 1.2 or 1.3, host names verified. */
  public SSLParameters peerParameters() {
    SSLParameters p = peer.getDefaultSSLParameters();
    p.setProtocols(PROTOCOLS);
    p.setEndpointIdentificationAlgorithm("HTTPS");
    return p;
  }

  /** The PKCS#12 file Raft's transport reads (key, chain, cluster CA). */
  public Path raftKeyStore() {
    return raftKeyStore;
  }

  public String raftKeyStorePassword() {
    return new String(raftKeyStorePassword);
  }

  /** What this node presents now, for the start line. */
  public String describe() {
    return loaded.material().describe();
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }

  private static SSLContext context(KeyManager keys, TrustManager trust) {
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
      return c;
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot set up TLS: " + e.getMessage());
    }
  }

  private List<FileStamp> stamps() {
    List<FileStamp> s = new ArrayList<>();
    for (Path p : files.all()) {
      s.add(FileStamp.of(p));
    }
    return s;
  }

  private void reloadIfChanged() {
    List<FileStamp> now = stamps();
    if (now.equals(stamps)) {
      return;
    }
    try {
      TlsMaterial m = TlsMaterial.read(files);
      Loaded next = Loaded.of(m);
      writeRaftKeyStore(m);
      loaded = next;
      stamps = now;
      lastFailure = null;
      log.info("TLS files reloaded: now presenting {}", m.describe());
      warnIfExpiringSoon(m);
    } catch (TlsException e) {
      // not stamped: tried again next second (an editor or a copy may not be done yet)
      if (!Objects.equals(lastFailure, e.getMessage())) {
        lastFailure = e.getMessage();
        log.warn(
            "TLS files changed but cannot be used, keeping the previous ones: {}", lastFailure);
      }
    }
  }

  private static void warnIfExpiringSoon(TlsMaterial m) {
    long days = m.daysLeft(new Date());
    if (days < 14) {
      log.warn("this node's TLS certificate expires in {} days: {}", days, m.describe());
    }
  }

  private void writeRaftKeyStore(TlsMaterial m) {
    try {
      Path dir = raftKeyStore.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".raft-tls", ".tmp");
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      try (OutputStream out = Files.newOutputStream(tmp)) {
        m.writeKeyStore(out, raftKeyStorePassword);
      }
      // moved into place: bolt, reading it for a new connection, never sees half of it
      Files.move(
          tmp, raftKeyStore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new TlsException("cannot write " + raftKeyStore + ": " + e.getMessage());
    }
  }

  /** The key manager of whatever was loaded last. */
  private final class CurrentKeys extends X509ExtendedKeyManager {
    private X509ExtendedKeyManager keys() {
      return loaded.keys();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return keys().getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return keys().chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return keys().chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return keys().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return keys().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return keys().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys().getPrivateKey(alias);
    }
  }

  /**
   * The trust manager of whatever was loaded last: on the HTTP server side the client CA plus the
   * cluster CA (the nodes call each other), on the node-to-node client side the cluster CA only.
   */
  private final class CurrentTrust extends X509ExtendedTrustManager {
    private final boolean httpServer;

    CurrentTrust(boolean httpServer) {
      this.httpServer = httpServer;
    }

    private X509ExtendedTrustManager trust() {
      Loaded l = loaded;
      return httpServer ? l.httpClients() : l.cluster();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      trust().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      trust().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      trust().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      trust().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      trust().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      trust().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return trust().getAcceptedIssuers();
    }
  }
}
