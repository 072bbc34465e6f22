-- SPDX-License-Identifier: Apache-2.0
-- bench/server_load.lua: wrk script for bench/server_load.sh.
--
-- Each wrk connection cycles through the request paths listed, one per
-- line, in the file named by the environment variable CFOTA_PATHS (check
-- requests of many devices, or package downloads), starting at a
-- different line per connection. Any answer other than 200, 206 or 304 is
-- counted and printed at the end, so a figure made of errors is noticed.

local paths = {}
for line in io.lines(os.getenv("CFOTA_PATHS")) do
  paths[#paths + 1] = line
end
local range = os.getenv("CFOTA_RANGE")

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("start", counter * 7919)
  threads[#threads + 1] = thread
end

function init(args)
  i = start
  bad = 0
  local headers = {}
  if range and #range > 0 then
    headers["Range"] = range
  end
  req_headers = headers
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], req_headers)
end

function response(status, headers, body)
  if status ~= 200 and status ~= 206 and status ~= 304 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + t:get("bad")
  end
  io.write(string.format("answers other than 200/206/304: %d\n", bad_total))
end
