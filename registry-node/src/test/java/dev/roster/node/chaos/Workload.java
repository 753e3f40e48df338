package dev.roster.node.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Concurrent clients against one application per round. Each client owns a few instances (unique
 * hostnames) and, until stopped, renews each of them about once a second and in between draws a
 * register, set, cancel, consistent fetch, stale fetch or poll. Every operation is recorded in the
 * {@link History}. Each client's loop is bounded in count and in time.
 */
final class Workload {
  static final String ENV = "chaos";
  static final String ZONE = "z1";
  static final long RENEW_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final long OP_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(6);
  private static final int MAX_OPS_PER_CLIENT = 5000;

  private final List<String> urls;
  private final History history;
  private final int round;
  private final String app;
  private final int clients;
  private final int keysPerClient;
  private final long seed;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stop;
  private volatile long hardDeadline;

  Workload(
      List<String> urls, History history, int round, int clients, int keysPerClient, long seed) {
    this.urls = List.copyOf(urls);
    this.history = history;
    this.round = round;
    this.app = "chaos.r" + round;
    this.clients = clients;
    this.keysPerClient = keysPerClient;
    this.seed = seed;
  }

  String app() {
    return app;
  }

  /** Every hostname a client of this round may register. */
  List<String> hosts() {
    List<String> hosts = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      for (int k = 0; k < keysPerClient; k++) {
        hosts.add(host(c, k));
      }
    }
    return hosts;
  }

  private static String host(int client, int key) {
    return "c" + client + "-k" + key;
  }

  void start(Duration maxDuration) {
    hardDeadline = System.nanoTime() + maxDuration.toNanos();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> new Client(client).run(), "chaos-client-" + c);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Stops the clients and waits for their last operations (each bounded by its budget). */
  void stopAndJoin() throws InterruptedException {
    stop = true;
    for (Thread t : threads) {
      t.join(TimeUnit.NANOSECONDS.toMillis(OP_BUDGET_NANOS) * 3);
    }
  }

  /** A consistent fetch of the round's application on {@code node}, recorded like any read. */
  Op consistentRead(NodeClient client, int clientId, int node) {
    return read(client, clientId, node, Op.CREAD, "&status=3&consistent=true");
  }

  private Op read(NodeClient client, int clientId, int node, String kind, String extra) {
    long id = history.nextId();
    long invoke = history.now();
    NodeClient.Result r =
        client.read(
            node,
            "/discovery/fetch?env=" + ENV + "&appid=" + enc(app) + extra,
            System.nanoTime() + OP_BUDGET_NANOS);
    Map<String, Op.Obs> obs =
        r.outcome().equals(Op.OK) ? observations(r.data().path("instances")) : null;
    Long latest = r.outcome().equals(Op.OK) ? r.data().path("latest_timestamp").asLong() : null;
    Op op =
        new Op(
            id,
            round,
            clientId,
            kind,
            app,
            null,
            node,
            null,
            null,
            invoke,
            history.now(),
            r.outcome(),
            r.code(),
            r.message(),
            obs,
            latest,
            null);
    history.record(op);
    return op;
  }

  /** Instances by hostname, as an answer's {@code instances} (by zone) showed them. */
  static Map<String, Op.Obs> observations(JsonNode byZone) {
    Map<String, Op.Obs> obs = new LinkedHashMap<>();
    byZone.forEach(zone -> zone.forEach(i -> obs.put(i.path("hostname").asText(), obs(i))));
    return obs;
  }

  static Op.Obs obs(JsonNode instance) {
    return new Op.Obs(
        instance.path("version").asText(""),
        instance.path("status").asInt(),
        instance.path("metadata").path("t").asText(""));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** One client thread: its own instances, its own random stream, sequential operations. */
  private final class Client {
    private final int id;
    private final Random random;
    private final NodeClient http;
    private final long[] lastRenew = new long[keysPerClient];
    private final boolean[] believedPresent = new boolean[keysPerClient];
    private final Map<Integer, Long> pollSince = new HashMap<>();

    Client(int id) {
      this.id = id;
      this.random = new Random(seed * 31 + id);
      this.http = new NodeClient(urls, REQUEST_TIMEOUT);
    }

    void run() {
      int ops = 0;
      while (!stop && ops < MAX_OPS_PER_CLIENT && System.nanoTime() < hardDeadline) {
        for (int k = 0; k < keysPerClient && !stop; k++) {
          if (System.nanoTime() - lastRenew[k] >= RENEW_EVERY_NANOS) {
            write(Op.RENEW, k);
            ops++;
          }
        }
        if (stop) {
          break;
        }
        int k = random.nextInt(keysPerClient);
        int dice = random.nextInt(100);
        if (!believedPresent[k] && random.nextBoolean()) {
          write(Op.REGISTER, k);
        } else if (dice < 10) {
          write(Op.REGISTER, k);
        } else if (dice < 28) {
          write(Op.SET, k);
        } else if (dice < 38) {
          write(Op.CANCEL, k);
        } else if (dice < 62) {
          consistentRead(http, id, random.nextInt(urls.size()));
        } else if (dice < 76) {
          read(http, id, random.nextInt(urls.size()), Op.SREAD, "&status=3");
        } else if (dice < 88) {
          poll();
        } else {
          write(Op.RENEW, k);
        }
        ops++;
        NodeClient.pause(10 + random.nextInt(30));
      }
    }

    private void write(String kind, int k) {
      String host = host(id, k);
      long opId = history.nextId();
      String tag = "o" + opId;
      Integer status = null;
      StringBuilder form =
          new StringBuilder(
              "zone=" + ZONE + "&env=" + ENV + "&appid=" + enc(app) + "&hostname=" + enc(host));
      String path;
      switch (kind) {
        case Op.REGISTER -> {
          status = random.nextInt(4) == 0 ? 2 : 1;
          form.append("&addrs=")
              .append(enc("http://" + host + ":8080"))
              .append("&version=")
              .append(tag)
              .append("&status=")
              .append(status);
          path = "/discovery/register";
        }
        case Op.SET -> {
          status = random.nextBoolean() ? 1 : 2;
          form.append("&status=")
              .append(status)
              .append("&metadata=")
              .append(enc("{\"t\":\"" + tag + "\"}"));
          path = "/discovery/set";
        }
        case Op.CANCEL -> path = "/discovery/cancel";
        case Op.RENEW -> path = "/discovery/renew";
        default -> throw new IllegalArgumentException(kind);
      }
      int node = random.nextInt(urls.size());
      long invoke = history.now();
      if (kind.equals(Op.RENEW) || kind.equals(Op.REGISTER)) {
        lastRenew[k] = System.nanoTime();
      }
      NodeClient.Result r =
          http.write(path, form.toString(), node, System.nanoTime() + OP_BUDGET_NANOS);
      Map<String, Op.Obs> obs = null;
      if (r.outcome().equals(Op.OK) && (kind.equals(Op.REGISTER) || kind.equals(Op.RENEW))) {
        obs = Map.of(host, obs(r.data()));
      }
      if (r.outcome().equals(Op.OK)) {
        believedPresent[k] = !kind.equals(Op.CANCEL);
      } else if (r.outcome().equals(Op.NOT_FOUND)) {
        believedPresent[k] = false;
      }
      history.record(
          new Op(
              opId,
              round,
              id,
              kind,
              app,
              host,
              node,
              status,
              kind.equals(Op.REGISTER) || kind.equals(Op.SET) ? tag : null,
              invoke,
              history.now(),
              r.outcome(),
              r.code(),
              r.message(),
              obs,
              null,
              null));
    }

    private void poll() {
      int node = random.nextInt(urls.size());
      long since = pollSince.getOrDefault(node, 0L);
      long id0 = history.nextId();
      long invoke = history.now();
      NodeClient.Result r =
          http.read(
              node,
              "/discovery/poll?env="
                  + ENV
                  + "&appid="
                  + enc(app)
                  + "&latest_timestamp="
                  + since
                  + "&hold=1000",
              System.nanoTime() + OP_BUDGET_NANOS);
      Map<String, Op.Obs> obs = null;
      Long latest = null;
      if (r.outcome().equals(Op.OK)) {
        obs = observations(r.data().path("instances"));
        latest = r.data().path("latest_timestamp").asLong();
        pollSince.put(node, latest);
      }
      history.record(
          new Op(
              id0,
              round,
              id,
              Op.POLL,
              app,
              null,
              node,
              null,
              null,
              invoke,
              history.now(),
              r.outcome(),
              r.code(),
              r.message(),
              obs,
              latest,
              since));
    }
  }
}
