-- Eureka register: POST /eureka/apps/{APP} with a Spring-client-shaped {"instance":{...}} body
-- (about 1 KB). Expected answer: 204.
-- REG_INSTANCES (1000) distinct instanceIds "reg-<i>:bench-app-<n>:8080" spread over APPS (100)
-- apps, cycled: the first pass creates them, later passes are
-- re-registers (upserts), which is also what a Eureka client sends on every status/metadata change.
-- REG_HOST_PREFIX (reg-) keeps them apart from the preloaded renew/fetch instances (host-<i>).
-- UNIQUE=1: never reuse an id (each request builds a new body with a per-thread counter;
-- costs wrk some Lua CPU per request, and the registry grows by one instance per request).
-- env: see eureka-lib.lua, plus REG_INSTANCES, REG_HOST_PREFIX, UNIQUE
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local E = require("eureka-lib")
local lib = E.lib
local hp = lib.env("REG_HOST_PREFIX", "reg-")
local hdr = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

local function req(t) return lib.format("POST", "/eureka/apps/" .. t.app, hdr, E.instance_json(t)) end

E.run("eureka-register", 204, function()
  local reqs = {}
  for _, t in ipairs(E.gen(lib.envn("REG_INSTANCES", 1000), hp)) do reqs[#reqs + 1] = req(t) end
  return reqs
end)

if lib.env("UNIQUE", "0") == "1" then
  local k = 0
  _G.request = function()
    k = k + 1
    return req(E.inst(k, hp .. "t" .. (tid or 0) .. "-"))
  end
end
