-- wrk -s bench/wrk/precheck.lua URL: POST /api/v1/precheck, the load
-- generator's body, as FERRY_TOKEN (a sender's bearer token) to FERRY_TO.
-- Counts what is not a decision: a status other than 200, or the verdict
-- "rejected" (a refused pre-check is an answer, but not the one measured).
local token = os.getenv("FERRY_TOKEN") or error("set FERRY_TOKEN")
local to = os.getenv("FERRY_TO") or "bob"

wrk.method = "POST"
wrk.path = "/api/v1/precheck"
wrk.body = '{"to":["' .. to .. '"],"name":"report.pdf","size":1000}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  answered, unexpected, rejected = 0, 0, 0
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    unexpected = unexpected + 1
  elseif body:find('"verdict":"rejected"', 1, true) then
    rejected = rejected + 1
  end
end

function done(summary, latency, requests)
  local answered, unexpected, rejected = 0, 0, 0
  for _, t in ipairs(threads) do
    answered = answered + t:get("answered")
    unexpected = unexpected + t:get("unexpected")
    rejected = rejected + t:get("rejected")
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("result tool=wrk mode=precheck requests_per_s=%.0f decisions_per_s=%.0f " ..
    "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d rejected=%d socket_errors=%d\n",
    summary.requests / secs, (answered - unexpected - rejected) / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    unexpected, rejected, e.connect + e.read + e.write + e.timeout))
end
