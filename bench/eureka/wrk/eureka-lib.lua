-- Helpers for the Eureka wrk scripts, on top of bench/wrk/lib.lua
-- (same request pre-building, per-thread offsets and RESULT_JSON line as bench/wrk/roster-*.lua).
--
-- Differences from lib.run():
--   * every answer is checked for the EXPECTED status (204 for register, 200 otherwise):
--     errors.bad_status counts answers with any other status (this includes the 4xx/5xx
--     that wrk also counts as non2xx); errors.bad_body counts answers with the expected
--     status but a wrong body; "bad" = bad_status + bad_body.
--   * CHECK=0 removes the response() hook (wrk then skips handing bodies to Lua, which
--     matters for the ~1 MB full-registry answer); bad_status/bad_body/bad are then -1
--     and only wrk's non2xx is left.
--
-- Instances are generated the same way everywhere (preload.py, renew, register):
--   instance i (0-based) -> app  APP_PREFIX .. (i % APPS)          e.g. BENCH-APP-7
--                           host HOST_PREFIX .. i                  e.g. host-107
--                           instanceId host .. ":" .. lower(app) .. ":8080"
-- env: INSTANCES (1000) APPS (100) APP_PREFIX (BENCH-APP-) HOST_PREFIX (host-)
--      LAST_DIRTY (1700000000000: lastDirtyTimestamp used by preload, register and renew)
--      INSTANCES_FILE (optional: lines "APP instanceId lastDirtyTimestamp" as preload.py writes)
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "../../wrk/?.lua;" .. dir .. "?.lua;" .. package.path
local lib = require("lib")
local E = { lib = lib }

E.JSON = { ["Accept"] = "application/json" }

-- instance i (0-based) with host prefix hp -> {app, host, id, ts}
local APP_PREFIX, NAPPS = lib.env("APP_PREFIX", "BENCH-APP-"), lib.envn("APPS", 100)
local LAST_DIRTY = lib.env("LAST_DIRTY", "1700000000000")
function E.inst(i, hp)
  local app = APP_PREFIX .. (i % NAPPS)
  local host = hp .. i
  return { app = app, host = host, id = host .. ":" .. app:lower() .. ":8080", ts = LAST_DIRTY }
end

function E.gen(n, hp)
  local out = {}
  for i = 0, n - 1 do out[#out + 1] = E.inst(i, hp) end
  return out
end

-- the preloaded instances: INSTANCES_FILE if set, else INSTANCES generated with HOST_PREFIX
function E.instances()
  local f = lib.env("INSTANCES_FILE", nil)
  if not f then return E.gen(lib.envn("INSTANCES", 1000), lib.env("HOST_PREFIX", "host-")) end
  local out = {}
  for _, line in ipairs(lib.read_lines(f)) do
    local app, id, ts = line:match("^(%S+)%s+(%S+)%s+(%d+)$")
    assert(app, "bad line in " .. f .. ": " .. line)
    out[#out + 1] = { app = app, id = id, ts = ts }
  end
  return out
end

function E.apps()
  local out = {}
  for a = 0, NAPPS - 1 do out[#out + 1] = APP_PREFIX .. a end
  return out
end

-- The register body a Spring Cloud (Boot 3.5) client sends, same fields and order;
-- preload.py builds the identical body.
function E.instance_json(t)
  local host, app, vip = t.host, t.app, t.app:lower()
  return string.format('{"instance":{"instanceId":"%s","app":"%s","appGroupName":null,"ipAddr":"127.0.0.1","sid":"na",'
    .. '"homePageUrl":"http://%s:8080/","statusPageUrl":"http://%s:8080/actuator/info",'
    .. '"healthCheckUrl":"http://%s:8080/actuator/health","secureHealthCheckUrl":null,'
    .. '"vipAddress":"%s","secureVipAddress":"%s","countryId":1,'
    .. '"dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},'
    .. '"hostName":"%s","status":"UP","overriddenStatus":"UNKNOWN",'
    .. '"leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90,"registrationTimestamp":0,'
    .. '"lastRenewalTimestamp":0,"evictionTimestamp":0,"serviceUpTimestamp":0},'
    .. '"isCoordinatingDiscoveryServer":false,"lastUpdatedTimestamp":%s,"lastDirtyTimestamp":%s,'
    .. '"actionType":null,"asgName":null,"port":{"$":8080,"@enabled":"true"},'
    .. '"securePort":{"$":443,"@enabled":"false"},"metadata":{"zone":"z1","management.port":"8080"}}}',
    t.id, app, host, host, host, vip, vip, host, t.ts, t.ts)
end

-- run(name, expected_status, build, check): build() -> list of formatted requests;
-- check(body, headers) -> true if an answer with the expected status is acceptable (optional)
function E.run(name, expected, build, check)
  lib.run(name, build, nil)
  local threads = {}
  local lib_setup, lib_init = _G.setup, _G.init
  _G.setup = function(thread) lib_setup(thread); threads[#threads + 1] = thread end
  _G.init = function(args) lib_init(args); _G.bad_status = 0 end
  local checking = lib.env("CHECK", "1") ~= "0"
  local body_check = check and lib.env("CHECK_BODY", "1") ~= "0"
  if checking then
    _G.response = function(status, headers, body)
      if status ~= expected then bad_status = bad_status + 1
      elseif body_check and not check(body, headers) then bad = bad + 1 end
    end
  else
    _G.response = nil
  end
  _G.done = function(summary, latency, requests)
    local bs, bb = 0, 0
    for _, t in ipairs(threads) do
      bs = bs + (tonumber(t:get("bad_status")) or 0)
      bb = bb + (tonumber(t:get("bad")) or 0)
    end
    if not checking then bs, bb = -1, -1 end
    local secs = summary.duration / 1e6
    local e = summary.errors
    local function ms(us) return string.format("%.3f", us / 1000) end
    print(string.format(
      'RESULT_JSON {"name":"%s","requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
      '"lat_ms":{"mean":%s,"stdev":%s,"p50":%s,"p90":%s,"p99":%s,"p999":%s,"max":%s},' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"non2xx":%d,"bad_status":%d,"bad_body":%d},' ..
      '"expected_status":%d,"bad":%d}',
      lib.env("RESULT_NAME", name), summary.requests, secs, summary.requests / secs,
      ms(latency.mean), ms(latency.stdev), ms(latency:percentile(50)), ms(latency:percentile(90)),
      ms(latency:percentile(99)), ms(latency:percentile(99.9)), ms(latency.max),
      e.connect, e.read, e.write, e.timeout, e.status, bs, bb, expected, checking and (bs + bb) or -1))
  end
end

return E
