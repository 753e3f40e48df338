package dev.roster.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A registry answer after redirects and retries: the envelope's code, message and data. */
record Reply(int code, String message, JsonNode data) {
  static final int OK = 0;
  static final int NOT_MODIFIED = -304;
  static final int NOT_LEADER = -307;
  static final int NOT_FOUND = -404;
  static final int UNAVAILABLE = -503;

  boolean ok() {
    return code == OK;
  }

  boolean notFound() {
    return code == NOT_FOUND;
  }

  boolean notModified() {
    return code == NOT_MODIFIED;
  }
}
