-- Roster: POST /discovery/register, cycling over INSTANCES instances (a second register of the
-- same instance replaces it: one Raft entry each, like etcd's put over 1000 keys).
-- Each instance has one address and a version; METADATA_SIZE (0) adds a metadata value of that
-- many bytes. env: see roster.lua (bench/run.sh uses APP_PREFIX=bench.reg. so that the fetch
-- applications do not change).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local lib = require("lib")
local R = require("roster")
local msize = lib.envn("METADATA_SIZE", 0)

lib.run("roster-register", function()
  local reqs = {}
  local order = { "zone", "env", "appid", "hostname", "addrs", "version" }
  if msize > 0 then order[#order + 1] = "metadata" end
  for _, t in ipairs(R.instances()) do
    t.addrs = string.format("http://10.%d.%d.%d:8080", math.floor(t.i / 65536) % 256, math.floor(t.i / 256) % 256, t.i % 256)
    t.version = "v1.0.0"
    if msize > 0 then t.metadata = '{"m":"' .. string.rep("m", msize) .. '"}' end
    reqs[#reqs + 1] = R.post_form("/discovery/register", lib.form(t, order))
  end
  return reqs
end, R.check)
