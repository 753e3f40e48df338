-- Copied unchanged (apart from this header) from the shared peer-benchmark harness,
-- ../shared/bench/wrk/lib.lua (used for the etcd numbers in ../shared/bench/PEERS.md), so that
-- Roster and etcd runs print the same RESULT_JSON line. Keep the two in step.
--
-- Shared helpers for the wrk peer-benchmark scripts.
--
-- Pattern (same for etcd and for the future registry HTTP API):
--   * a target script builds a LIST of fully formatted requests once per thread
--     (in init), using lib.format(); wrk then just cycles through it, so the
--     Lua cost per request is one table lookup;
--   * each wrk thread starts at a different offset of the list;
--   * an optional body check (lib.check) counts 2xx responses whose body is
--     not what we expect (wrk itself counts non-2xx/3xx as errors.status);
--   * done() prints one machine-readable line:  RESULT_JSON {...}
--
-- Configuration is via environment variables (os.getenv), documented per script.
local lib = {}

function lib.env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end
function lib.envn(name, default) return tonumber(lib.env(name, default)) end

-- RFC 4648 base64 (etcd's JSON gateway wants base64 bytes fields)
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
function lib.b64(s)
  local out, n = {}, #s
  for i = 1, n, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(v / 262144) % 64
    local c2 = math.floor(v / 4096) % 64
    local c3 = math.floor(v / 64) % 64
    local c4 = v % 64
    out[#out + 1] = B64:sub(c1 + 1, c1 + 1) .. B64:sub(c2 + 1, c2 + 1)
      .. (b and B64:sub(c3 + 1, c3 + 1) or "=") .. (c and B64:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

function lib.urlencode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end
function lib.form(t, order) -- order: list of keys so the body is deterministic
  local parts = {}
  for _, k in ipairs(order) do parts[#parts + 1] = lib.urlencode(k) .. "=" .. lib.urlencode(t[k]) end
  return table.concat(parts, "&")
end

function lib.read_lines(path)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  local t = {}
  for line in f:lines() do if line ~= "" then t[#t + 1] = line end end
  f:close()
  assert(#t > 0, "empty file " .. path)
  return t
end

function lib.format(method, path, headers, body)
  return wrk.format(method, path, headers, body)
end

-- ---- wiring into wrk's callbacks -------------------------------------------
local threads = {}
local counter = 0

-- install setup/init/request/response/done globals.
--   build(): returns the list of formatted requests (called once per thread)
--   check(body): optional, returns true if a 2xx body is acceptable
--                (disable with CHECK_BODY=0: saves wrk's body parsing CPU)
function lib.run(name, build, check)
  _G.setup = function(thread)
    thread:set("tid", counter)
    counter = counter + 1
    threads[#threads + 1] = thread
  end

  _G.init = function(args)
    local reqs = build()
    assert(#reqs > 0, "no requests built")
    _G.__reqs, _G.__n = reqs, #reqs
    -- spread threads across the list
    _G.__i = (((tid or 0) * 7919) % #reqs)
    _G.bad = 0
  end

  _G.request = function()
    __i = __i + 1
    if __i > __n then __i = 1 end
    return __reqs[__i]
  end

  if check and lib.env("CHECK_BODY", "1") ~= "0" then
    _G.response = function(status, headers, body)
      if status >= 200 and status < 300 and not check(body) then bad = bad + 1 end
    end
  end

  _G.done = function(summary, latency, requests)
    local bad_total = 0
    for _, t in ipairs(threads) do bad_total = bad_total + (tonumber(t:get("bad")) or 0) end
    local secs = summary.duration / 1e6
    local e = summary.errors
    local function ms(us) return string.format("%.3f", us / 1000) end
    print(string.format(
      'RESULT_JSON {"name":"%s","requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
      '"lat_ms":{"mean":%s,"stdev":%s,"p50":%s,"p90":%s,"p99":%s,"p999":%s,"max":%s},' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"non2xx":%d,"bad_body":%d}}',
      lib.env("RESULT_NAME", name), summary.requests, secs, summary.requests / secs,
      ms(latency.mean), ms(latency.stdev), ms(latency:percentile(50)), ms(latency:percentile(90)),
      ms(latency:percentile(99)), ms(latency:percentile(99.9)), ms(latency.max),
      e.connect, e.read, e.write, e.timeout, e.status, bad_total))
  end
end

return lib
