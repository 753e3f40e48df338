-- Roster: GET /discovery/poll?env=..&appid=..&latest_timestamp=LATEST_TIMESTAMP (0) cycling over
-- the APPS applications. With 0 every poll is answered at once with the application's UP
-- instances (the same work as a woken poll's answer). Parked polls and their wake-up latency are
-- measured by the Java driver (bench/README.md), not with wrk. env: see roster.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local lib = require("lib")
local R = require("roster")
local since = lib.env("LATEST_TIMESTAMP", "0")
local hold = lib.env("HOLD", nil)

lib.run("roster-poll", function()
  local reqs = {}
  for _, a in ipairs(R.appids()) do
    local q = "env=" .. lib.urlencode(R.env) .. "&appid=" .. lib.urlencode(a) .. "&latest_timestamp=" .. since
    if hold then q = q .. "&hold=" .. hold end
    reqs[#reqs + 1] = R.get("/discovery/poll", q)
  end
  return reqs
end, R.check)
