package dev.roster.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encoded fetch answers, per (application, zone filter, status mask), valid while the application's
 * {@code version} is unchanged. Followers serve most reads; a popular application is encoded once
 * per change instead of once per request, and a wave of woken long polls shares one encoding. The
 * version moves on every mutation, renews included, so an answer never shows an outdated
 * renew_timestamp.
 */
final class FetchCache {
  /** Past this many entries the cache starts over (bounds memory when applications churn). */
  private static final int MAX_ENTRIES = 20_000;

  record Key(String env, String appid, String zone, int statusMask) {}

  private record Entry(long version, byte[] body) {}

  private final ObjectMapper json;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  FetchCache(ObjectMapper json) {
    this.json = json;
  }

  /** The encoded reply for {@code key} at {@code version}, or null if not cached. */
  byte[] get(Key key, long version) {
    Entry e = entries.get(key);
    return e != null && e.version() == version ? e.body() : null;
  }

  /** Encodes an OK reply with {@code data}, remembers it for {@code version}, and returns it. */
  byte[] put(Key key, long version, Object data) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(Reply.ok(data).envelope());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a fetch answer", e);
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(key, new Entry(version, body));
    return body;
  }
}
