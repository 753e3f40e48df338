package dev.roster.node.raft;

import java.nio.file.Path;

/**
 * TLS between the nodes: the PKCS#12 key store (this node's key and chain, the cluster's CA as
 * trusted entries) that bolt reads for every new Raft connection, in both directions, and its
 * password. Both ends present a certificate and check the other's against the store's CA, so a
 * process whose certificate the cluster's CA did not sign can neither send Raft requests (votes,
 * appends) nor be sent any.
 */
public record RaftTls(Path keyStore, String password) {
  @Override
  public String toString() {
    return "RaftTls[" + keyStore + "]"; // never the password
  }
}
