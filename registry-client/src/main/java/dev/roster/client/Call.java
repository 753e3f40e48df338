package dev.roster.client;

import java.time.Duration;

/**
 * One request of the contract, independent of the node it is sent to.
 *
 * @param write writes go to the leader (followers redirect); reads go to any node
 * @param attemptTimeout how long one attempt on one node may take (a long poll: hold + request
 *     timeout)
 */
record Call(boolean write, String path, Form params, Duration attemptTimeout) {
  String method() {
    return write ? "POST" : "GET";
  }

  @Override
  public String toString() {
    return method() + " " + path;
  }
}
