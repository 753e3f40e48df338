-- Roster: GET /discovery/fetch?env=..&appid=.. cycling over the APPS applications (each has
-- INSTANCES / APPS instances). CONSISTENT=1 adds consistent=true (a readIndex round to the leader
-- first: the counterpart of etcd's linearizable range; without it, of the serializable range).
-- env: see roster.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local lib = require("lib")
local R = require("roster")
local consistent = lib.env("CONSISTENT", "0") == "1"

lib.run(consistent and "roster-fetch-consistent" or "roster-fetch", function()
  local reqs = {}
  for _, a in ipairs(R.appids()) do
    local q = "env=" .. lib.urlencode(R.env) .. "&appid=" .. lib.urlencode(a)
    if consistent then q = q .. "&consistent=true" end
    reqs[#reqs + 1] = R.get("/discovery/fetch", q)
  end
  return reqs
end, R.check)
