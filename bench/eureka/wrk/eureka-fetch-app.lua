-- Eureka single-app fetch: GET /eureka/apps/{APP} (Accept: application/json), cycling over
-- APPS (100) apps; with the preload each holds INSTANCES/APPS (10) instances.
-- A Eureka server serves it from its read-only response cache (JSON per app, refreshed every
-- 30 s); Roster builds it from the applied state per request.
-- Expected: 200 and a body with {"application": ... "instanceId" (404 = app unknown).
-- env: APPS, APP_PREFIX (see eureka-lib.lua)
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local E = require("eureka-lib")
local lib = E.lib

E.run("eureka-fetch-app", 200, function()
  local reqs = {}
  for _, app in ipairs(E.apps()) do reqs[#reqs + 1] = lib.format("GET", "/eureka/apps/" .. app, E.JSON, nil) end
  return reqs
end, function(body)
  return body:find('{"application":', 1, true) == 1 and body:find('"instanceId"', 1, true) ~= nil
end)
