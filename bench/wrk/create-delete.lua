-- wrk -s bench/wrk/create-delete.lua URL: creates (POST /api/v1/transfers)
-- and the sender's recall of each (DELETE /api/v1/transfers/{id}), as
-- FERRY_TOKEN (a sender's bearer token) to FERRY_TO. wrk keeps one request
-- outstanding per connection; a thread deletes what its creates returned
-- before it creates more, so creates and deletes alternate. A decision is a
-- create answered 201 (with its ID); a delete is answered 200 with the
-- transfer recalled; any other answer is counted apart. The latencies are
-- of both kinds.
local token = os.getenv("FERRY_TOKEN") or error("set FERRY_TOKEN")
local to = os.getenv("FERRY_TO") or "bob"
local body = '{"to":["' .. to .. '"],"name":"report.pdf","size":1000}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created, deleted, unexpected = 0, 0, 0
  pending = {} -- IDs created and not yet asked to delete
  create = wrk.format("POST", "/api/v1/transfers",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function request()
  local id = table.remove(pending)
  if id then
    return wrk.format("DELETE", "/api/v1/transfers/" .. id, {["Authorization"] = "Bearer " .. token})
  end
  return create
end

function response(status, headers, body)
  local id = status == 201 and body:match('"id":"([^"]+)"')
  if id then
    created = created + 1
    table.insert(pending, id)
  elseif status == 200 and body:find('"state":"recalled"', 1, true) then
    deleted = deleted + 1
  else
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local created, deleted, unexpected = 0, 0, 0
  for _, t in ipairs(threads) do
    created = created + t:get("created")
    deleted = deleted + t:get("deleted")
    unexpected = unexpected + t:get("unexpected")
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("result tool=wrk mode=create-delete requests_per_s=%.0f decisions_per_s=%.0f deletes_per_s=%.0f " ..
    "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests / secs, created / secs, deleted / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    unexpected, e.connect + e.read + e.write + e.timeout))
end
