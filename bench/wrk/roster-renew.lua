-- Roster: POST /discovery/renew (form body env, appid, hostname, zone), cycling over INSTANCES
-- instances that must be registered first (bench/run.sh does that). The counterpart of etcd's
-- lease keepalive. env: see roster.lua. bad_body counts 2xx answers whose code is not 0.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local lib = require("lib")
local R = require("roster")

lib.run("roster-renew", function()
  local reqs = {}
  for _, t in ipairs(R.instances()) do
    reqs[#reqs + 1] = R.post_form("/discovery/renew", lib.form(t, { "zone", "env", "appid", "hostname" }))
  end
  return reqs
end, R.check)
