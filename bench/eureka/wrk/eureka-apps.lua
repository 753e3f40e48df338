-- Eureka registry reads, the two calls every Eureka client makes each fetch interval:
--   MODE=full  (default): GET /eureka/apps/       the whole registry
--   MODE=delta          : GET /eureka/apps/delta  changes of the last 180 s (retention queue)
-- Accept: application/json. On a Eureka server both come from the read-only response cache;
-- Roster encodes them once per change of its applied state.
-- GZIP=1 adds Accept-Encoding: gzip as the Spring clients do; Eureka then serves a cached
-- gzip copy, and only the status, Content-Encoding and the gzip magic bytes are checked
-- (wrk cannot inflate). bench/eureka-vs-roster.sh runs GZIP=1 and GZIP=0.
-- Expected: 200 and a body that starts with {"applications":.
-- Note the delta's size depends on how long ago the last change happened (empty after
-- ~3.5-4 min of no registrations on a Eureka server, 180 s on Roster); bench/eureka-vs-roster.sh
-- records the payload size before each run.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local E = require("eureka-lib")
local lib = E.lib
local mode = lib.env("MODE", "full")
local gzip = lib.env("GZIP", "0") == "1"
assert(mode == "full" or mode == "delta", "MODE must be full or delta")

E.run(mode == "full" and "eureka-apps-full" or "eureka-apps-delta", 200, function()
  local hdr = { ["Accept"] = "application/json" }
  if gzip then hdr["Accept-Encoding"] = "gzip" end
  return { lib.format("GET", mode == "full" and "/eureka/apps/" or "/eureka/apps/delta", hdr, nil) }
end, function(body, headers)
  if gzip then -- gzip header and magic bytes 1f 8b
    return (headers["Content-Encoding"] or headers["content-encoding"]) == "gzip" and body:byte(1) == 31 and body:byte(2) == 139
  end
  return body:find('{"applications":', 1, true) == 1
end)
