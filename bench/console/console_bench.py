#!/usr/bin/env python3
"""The console at scale: preload a registry, then time the console's reads and its page in a real
headless Chromium (driven through chromedriver's W3C WebDriver HTTP API: no Selenium needed).

    console_bench.py --node http://127.0.0.1:7171 [--leader URL] [--instances 100000] [--apps 1000]
                     [--loads 5] [--reads 200] [--out DIR] [--preload/--no-preload]

1. preload: registers INSTANCES instances over APPS apps (env bench, appid bench.console.<a>,
   hostname h<i>), 32 requests in flight over keep-alive connections, following 307s; bounded by
   --timeout seconds.
2. reads: READS sequential GETs of each console read on --node (apps page 1, apps with a search,
   one application's instances page, protection, evictions, members); median and p99 in ms.
3. page: LOADS fresh page loads of /ui/#/apps and of /ui/#/apps/bench/<app>; for each, the time
   from navigation start until the first row of the list is in the DOM (performance.now() in the
   page), and the number of rows the DOM holds.
Writes DIR/console.json and prints a Markdown table. Exits 1 on any failed request.
"""
import argparse, concurrent.futures, http.client, json, os, shutil, socket, statistics
import subprocess, sys, threading, time, urllib.parse


def post(conn_pool, base, path, body, deadline):
    u = urllib.parse.urlparse(base)
    while time.time() < deadline:
        conn = conn_pool.get(u.netloc)
        try:
            conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            data = r.read()
        except (http.client.HTTPException, OSError):
            conn_pool.drop(u.netloc)
            time.sleep(0.1)
            continue
        if r.status == 307:
            loc = urllib.parse.urlparse(r.getheader("Location"))
            u = loc
            continue
        code = json.loads(data).get("code")
        if code == 0:
            return
        if code == -503:
            time.sleep(0.2)
            continue
        raise SystemExit("register failed: %s" % data[:200])
    raise SystemExit("register did not succeed before the deadline")


class Pool:
    """One keep-alive connection per (thread, host)."""

    def __init__(self):
        self.local = threading.local()

    def get(self, netloc):
        conns = getattr(self.local, "conns", None)
        if conns is None:
            conns = self.local.conns = {}
        if netloc not in conns:
            host, port = netloc.split(":")
            conns[netloc] = http.client.HTTPConnection(host, int(port), timeout=10)
        return conns[netloc]

    def drop(self, netloc):
        c = self.local.conns.pop(netloc, None)
        if c:
            c.close()


def preload(args):
    pool = Pool()
    deadline = time.time() + args.timeout
    start = time.time()

    def one(i):
        a = i % args.apps
        body = urllib.parse.urlencode({
            "env": "bench", "appid": "bench.console.%04d" % a, "hostname": "h%06d" % i,
            "zone": "zone-%d" % (i % 3), "addrs": "http://10.%d.%d.%d:8080" % (i >> 16, (i >> 8) & 255, i & 255),
            "version": "v1.%d" % (i % 7), "status": "1" if i % 10 else "2",
            "metadata": json.dumps({"weight": str(i % 10), "build": "b%d" % (i % 100)}),
        })
        post(pool, args.leader or args.node, "/discovery/register", body, deadline)

    with concurrent.futures.ThreadPoolExecutor(32) as ex:
        list(ex.map(one, range(args.instances), chunksize=256))
    return time.time() - start


def middle_app(args):
    return "bench.console.%04d" % (args.apps // 2)


def get_json(url):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", u.path + ("?" + u.query if u.query else ""))
    r = c.getresponse()
    body = json.loads(r.read())
    c.close()
    return r.status, body


def time_reads(args):
    paths = {
        "apps (page 1, 50 a page)": "/discovery/apps?env=bench&limit=50",
        "apps, search": "/discovery/apps?env=bench&q=console.00&limit=50",
        "instances (1 app, page 1)": "/discovery/instances?env=bench&appid=%s&limit=50" % middle_app(args),
        "protection": "/discovery/protection",
        "evictions": "/discovery/evictions",
        "members": "/cluster/members",
    }
    u = urllib.parse.urlparse(args.node)
    out = {}
    for name, path in paths.items():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        ms = []
        for _ in range(args.reads):
            t = time.perf_counter()
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            ms.append((time.perf_counter() - t) * 1000)
            if r.status != 200 or json.loads(body).get("code") != 0:
                raise SystemExit("%s answered %s %s" % (path, r.status, body[:200]))
        c.close()
        ms.sort()
        out[name] = {"median_ms": round(statistics.median(ms), 2),
                     "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 2), "bytes": len(body)}
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Chrome:
    """A chromedriver process and one headless Chromium session, over W3C WebDriver HTTP."""

    def __init__(self, driver, binary):
        self.port = free_port()
        self.proc = subprocess.Popen([driver, "--port=%d" % self.port],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while True:
            try:
                self.call("GET", "/status")
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": binary, "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                                       "--window-size=1400,900", "--disable-gpu"]}}}}
        self.session = self.call("POST", "/session", caps)["value"]["sessionId"]

    def call(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request(method, path, json.dumps(body) if body is not None else None,
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        data = json.loads(r.read() or b"{}")
        c.close()
        if r.status >= 400:
            raise RuntimeError("webdriver %s %s: %s" % (method, path, data))
        return data

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.session, path), body)

    def close(self):
        try:
            self.call("DELETE", "/session/%s" % self.session)
        finally:
            self.proc.terminate()
            self.proc.wait(10)


# resolves with [ms from navigation start to the first matching row, rows in the DOM]
WAIT_FOR_ROWS = """
const sel = arguments[0], done = arguments[arguments.length - 1], t0 = Date.now();
(function poll() {
  const rows = document.querySelectorAll(sel);
  if (rows.length > 0) { done([performance.now(), rows.length, document.querySelectorAll('tr').length]); return; }
  if (Date.now() - t0 > 20000) { done([-1, 0, 0]); return; }
  requestAnimationFrame(poll);
})();
"""


def time_page(args):
    driver = args.chromedriver or shutil.which("chromedriver")
    binary = args.chromium or shutil.which("chromium")
    if not driver or not binary:
        raise SystemExit("needs chromium and chromedriver (apt-get install chromium chromium-driver)")
    chrome = Chrome(driver, binary)
    results = {}
    try:
        chrome.s("POST", "/timeouts", {"script": 30000})
        views = {"applications": ("/ui/#/apps", "tr[data-app]"),
                 "instances of one app": ("/ui/#/apps/bench/" + middle_app(args), "tr[data-instance]")}
        for name, (path, sel) in views.items():
            loads = []
            for _ in range(args.loads):
                chrome.s("POST", "/url", {"url": "about:blank"})
                chrome.s("POST", "/url", {"url": args.node + path})
                ms, rows, trs = chrome.s("POST", "/execute/async", {"script": WAIT_FOR_ROWS, "args": [sel]})["value"]
                if ms < 0:
                    raise SystemExit("%s: no row within 20 s" % path)
                loads.append({"ms": round(ms), "rows": rows, "tr_in_dom": trs})
            results[name] = {"loads": loads, "median_ms": statistics.median(l["ms"] for l in loads),
                             "max_ms": max(l["ms"] for l in loads), "rows": loads[-1]["rows"],
                             "tr_in_dom": loads[-1]["tr_in_dom"]}
    finally:
        chrome.close()
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--node", default="http://127.0.0.1:7171")
    p.add_argument("--leader")
    p.add_argument("--instances", type=int, default=100000)
    p.add_argument("--apps", type=int, default=1000)
    p.add_argument("--loads", type=int, default=5)
    p.add_argument("--reads", type=int, default=200)
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("--out", default=".")
    p.add_argument("--preload", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--chromium")
    p.add_argument("--chromedriver")
    args = p.parse_args()
    result = {"instances": args.instances, "apps": args.apps}
    if args.preload:
        result["preload_s"] = round(preload(args), 1)
        print("preloaded %d instances in %.1f s" % (args.instances, result["preload_s"]), flush=True)
    status, body = get_json(args.node + "/discovery/status")
    result["registry"] = body["data"]
    result["reads"] = time_reads(args)
    result["page"] = time_page(args)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "console.json"), "w") as f:
        json.dump(result, f, indent=2)
    print("| read on %s | median ms | p99 ms | bytes |" % args.node)
    print("|---|---|---|---|")
    for k, v in result["reads"].items():
        print("| %s | %s | %s | %s |" % (k, v["median_ms"], v["p99_ms"], v["bytes"]))
    print()
    print("| page (%d loads) | median ms to first row | max ms | rows in the list | tr in the DOM |" % args.loads)
    print("|---|---|---|---|---|")
    for k, v in result["page"].items():
        print("| %s | %s | %s | %s | %s |" % (k, v["median_ms"], v["max_ms"], v["rows"], v["tr_in_dom"]))


if __name__ == "__main__":
    main()
