-- Roster helpers for the wrk scripts in this folder (same pattern as lib.lua: every request is
-- formatted once per thread, then cycled through).
--
-- Instances: INSTANCES (1000) hostnames host-0 .. host-(N-1), spread round-robin over APPS (100)
-- applications APP_PREFIX0 .. APP_PREFIX(M-1) (APP_PREFIX = bench.app.), env BENCH_ENV (bench),
-- zone ZONE (z1). Instance i belongs to application i % APPS.
local lib = require("lib")
local R = {}

R.env = lib.env("BENCH_ENV", "bench")
R.zone = lib.env("ZONE", "z1")
R.prefix = lib.env("APP_PREFIX", "bench.app.")
R.n = lib.envn("INSTANCES", 1000)
R.apps = lib.envn("APPS", 100)

function R.instances()
  local t = {}
  for i = 0, R.n - 1 do
    t[#t + 1] = { zone = R.zone, env = R.env, appid = R.prefix .. (i % R.apps), hostname = "host-" .. i, i = i }
  end
  return t
end

function R.appids()
  local t = {}
  for a = 0, math.min(R.apps, R.n) - 1 do t[#t + 1] = R.prefix .. a end
  return t
end

-- ROSTER_TOKEN: sent as a bearer token with every request (a cluster with token files)
local token = os.getenv("ROSTER_TOKEN")
local FORM = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local GET = nil
if token and token ~= "" then
  FORM["Authorization"] = "Bearer " .. token
  GET = { ["Authorization"] = "Bearer " .. token }
end
function R.post_form(path, body) return lib.format("POST", path, FORM, body) end
function R.get(path, query) return lib.format("GET", path .. "?" .. query, GET, nil) end

-- a good answer is HTTP 2xx (wrk counts the others) with envelope code EXPECT_CODE (0)
local want = '"code":' .. lib.env("EXPECT_CODE", "0") .. ","
function R.check(body) return body:sub(1, 20):find(want, 1, true) ~= nil end

return R
