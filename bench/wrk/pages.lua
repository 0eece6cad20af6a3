-- wrk script for page scenarios: cycles through a plan of requests (one per line:
-- METHOD<TAB>PATH<TAB>COOKIE, the cookie may be empty), counts every response whose status is
-- not the expected one as an error, and tallies the benchmark headers (X-Query-Count,
-- X-Server-Time-Ms). done() prints one JSON line that bench/wrk.py reads.
-- Arguments after "--": plan file, expected status (default 200).

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count - 1)
  table.insert(threads, thread)
  for _, t in ipairs(threads) do t:set("thread_total", thread_count) end
end

local requests = {}
local position = 1
expected = 200
bad = 0
bad_status = {}
queries = {}
server_ms = {}

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, field) end
  return fields
end

function init(args)
  local plan = args[1]
  expected = tonumber(args[2] or "200")
  for line in io.lines(plan) do
    if line ~= "" then
      local f = split(line)
      local headers = {}
      if f[3] and f[3] ~= "" then headers["Cookie"] = f[3] end
      table.insert(requests, wrk.format(f[1], f[2], headers, nil))
    end
  end
  if #requests == 0 then error("empty plan " .. plan) end
  -- threads start at different places in the plan, so they do not send the same user at once
  position = math.floor(#requests * (thread_index or 0) / (thread_total or 1)) % #requests + 1
end

function request()
  local r = requests[position]
  position = position % #requests + 1
  return r
end

function response(status, headers, body)
  if status ~= expected then
    bad = bad + 1
    bad_status[status] = (bad_status[status] or 0) + 1
  end
  local q = tonumber(headers["X-Query-Count"])
  if q then queries[q] = (queries[q] or 0) + 1 end
  local ms = tonumber(headers["X-Server-Time-Ms"])
  if ms then
    local bucket = math.floor(ms * 10 + 0.5)  -- 0.1 ms resolution
    server_ms[bucket] = (server_ms[bucket] or 0) + 1
  end
end

local function histogram_json(h)
  local parts = {}
  for k, v in pairs(h) do table.insert(parts, string.format('"%d":%d', k, v)) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function merge(into, from)
  for k, v in pairs(from or {}) do into[k] = (into[k] or 0) + v end
end

function done(summary, latency, requests_stats)
  local total_bad, statuses, q, ms = 0, {}, {}, {}
  for _, t in ipairs(threads) do
    total_bad = total_bad + (t:get("bad") or 0)
    merge(statuses, t:get("bad_status"))
    merge(q, t:get("queries"))
    merge(ms, t:get("server_ms"))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"unexpected":%d,"unexpected_status":%s,'
      .. '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f},'
      .. '"queries":%s,"server_ms_x10":%s}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    total_bad, histogram_json(statuses),
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    histogram_json(q), histogram_json(ms)))
end
