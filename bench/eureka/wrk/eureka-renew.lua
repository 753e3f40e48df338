-- Eureka renew (heartbeat): PUT /eureka/apps/{APP}/{instanceId}?status=UP&lastDirtyTimestamp=<ms>
-- with no body, exactly as DiscoveryClient sends it, cycling over pre-registered instances
-- (bench/eureka-vs-roster.sh / preload.py registers them first). Expected answer: 200.
-- 404 = unknown instance, or a lastDirtyTimestamp newer than the server's copy (a real
-- client would then re-register); both count as bad_status.
-- env: see eureka-lib.lua (INSTANCES, APPS, LAST_DIRTY or INSTANCES_FILE)
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local E = require("eureka-lib")
local lib = E.lib

E.run("eureka-renew", 200, function()
  local hdr = { ["Accept"] = "application/json", ["Content-Length"] = "0" }
  local reqs = {}
  for _, t in ipairs(E.instances()) do
    reqs[#reqs + 1] = lib.format("PUT", string.format("/eureka/apps/%s/%s?status=UP&lastDirtyTimestamp=%s",
      t.app, t.id, t.ts), hdr, nil)
  end
  return reqs
end)
