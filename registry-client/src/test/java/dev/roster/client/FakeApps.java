package dev.roster.client;

import dev.roster.client.StubNode.Answer;
import dev.roster.client.StubNode.Request;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read side of a registry node, for watch tests: applications at versions, {@code fetchs} and
 * {@code polls} with the node's semantics (a poll parks until an application is newer than the
 * caller's version; -404 at once when none of them exists; a vanished application is not reported
 * while others exist).
 */
final class FakeApps {
  private final Map<String, Map<String, Object>> apps = new HashMap<>();

  synchronized void put(String appid, long version, String... hostnames) {
    apps.put(appid, StubNode.appData(appid, version, hostnames));
    notifyAll();
  }

  synchronized void remove(String appid) {
    apps.remove(appid);
    notifyAll();
  }

  StubNode serveOn(StubNode node) {
    return node.on("/discovery/fetch", this::fetch)
        .on("/discovery/fetchs", this::fetchs)
        .on("/discovery/polls", this::polls);
  }

  synchronized Answer fetch(Request r) {
    Map<String, Object> app = apps.get(r.param("appid"));
    return app == null ? Answer.notFound() : Answer.ok(app);
  }

  synchronized Answer fetchs(Request r) {
    Map<String, Object> data = new LinkedHashMap<>();
    for (String appid : r.params("appid")) {
      if (apps.containsKey(appid)) {
        data.put(appid, apps.get(appid));
      }
    }
    return Answer.ok(data);
  }

  synchronized Answer polls(Request r) throws InterruptedException {
    List<String> appids = r.params("appid");
    List<String> since = r.params("latest_timestamp");
    if (appids.size() != since.size()) {
      return Answer.code(-400, "latest_timestamp: one per appid");
    }
    long end = System.currentTimeMillis() + Long.parseLong(r.param("hold"));
    while (true) {
      Map<String, Object> changed = new LinkedHashMap<>();
      boolean anyExists = false;
      for (int i = 0; i < appids.size(); i++) {
        Map<String, Object> app = apps.get(appids.get(i));
        if (app != null) {
          anyExists = true;
          if ((long) app.get("latest_timestamp") > Long.parseLong(since.get(i))) {
            changed.put(appids.get(i), app);
          }
        }
      }
      if (!changed.isEmpty()) {
        return Answer.ok(changed);
      }
      if (!anyExists) {
        return Answer.notFound();
      }
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        return Answer.notModified();
      }
      wait(left);
    }
  }
}
