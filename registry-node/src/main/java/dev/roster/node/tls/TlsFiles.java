package dev.roster.node.tls;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a node's TLS material lives: its certificate (PEM, the leaf first, then any intermediates)
 * and PKCS#8 key, the cluster's CA (the nodes accept each other's certificates, on Raft and on
 * HTTP, only if it signed them) and optionally the CA of HTTP clients' certificates.
 */
public record TlsFiles(Path certificate, Path key, Path clusterCa, Path clientCa) {

  /** The files a reload watches. */
  List<Path> all() {
    List<Path> files = new ArrayList<>(List.of(certificate, key, clusterCa));
    if (clientCa != null) {
      files.add(clientCa);
    }
    return files;
  }
}
