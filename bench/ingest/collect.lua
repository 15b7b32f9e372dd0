-- wrk script for the ingest benchmark (bench/ingest/run.sh).
--
-- Every request POSTs Customer.io events whose "event_id" is unique across the whole run:
--   <run id>-<thread number>-<request counter>            (one event per request)
--   <run id>-<thread number>-<request counter>-<line>     (NDJSON, several per request)
-- so the server can never treat one as a retry of another. The same script is used against
-- nginx and Cohort, so both pay the same per-request Lua cost in wrk.
--
-- Settings come from the environment (wrk passes script arguments awkwardly):
--   INGEST_TEMPLATE            path of one Customer.io event (JSON object with "event_id")
--   INGEST_EVENTS_PER_REQUEST  1 = a single JSON object; N > 1 = NDJSON body of N events
--   INGEST_RUN_ID              prefix that makes ids unique across runs (letters, digits)
--
-- No response() hook: wrk would then parse every response's headers and body in Lua, which
-- slows the load generator. Non-2xx answers are counted by wrk itself (summary.errors.status,
-- every status > 399); neither server under test answers 1xx/3xx, and a 2xx that stored
-- nothing would be caught by run.sh's count check.
--
-- done() prints one line "INGEST_RESULT {json}" that run.sh parses:
--   requests  responses wrk read completely;  non2xx  of those with status > 399;
--   sent      request() calls summed over threads (an upper bound on requests written; wrk
--             calls request() once more on thread 1 to inspect it, and requests in flight
--             when the duration ends are written but their answers are never read).

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
  table.insert(threads, thread)
end

local function read_template(path)
  local f = assert(io.open(path, "rb"), "cannot open INGEST_TEMPLATE " .. tostring(path))
  local text = f:read("*a")
  f:close()
  text = text:gsub("%s+$", "")
  assert(not text:find("\n"), "the template must be one line of JSON")
  local key_start, value_start = text:find('"event_id"%s*:%s*"')
  assert(key_start, "the template has no string \"event_id\"")
  local value_end = assert(text:find('"', value_start + 1, true), "unterminated event_id")
  -- prefix ends with the opening quote of the id, suffix starts with its closing quote.
  return text:sub(1, value_start), text:sub(value_end)
end

local parts, id_slots, per_request, run_id
local headers = {}
sent = 0

function init(args)
  per_request = tonumber(os.getenv("INGEST_EVENTS_PER_REQUEST") or "1")
  run_id = os.getenv("INGEST_RUN_ID") or "run"
  local prefix, suffix = read_template(os.getenv("INGEST_TEMPLATE") or "event_template.json")
  parts, id_slots = {}, {}
  if per_request == 1 then
    parts = { prefix, "", suffix }
    id_slots = { 2 }
    headers["Content-Type"] = "application/json"
  else
    -- One body template: prefix, <id slot>, "-<line>" .. suffix .. "\n" per event; only the
    -- id slots change between requests.
    for j = 1, per_request do
      parts[#parts + 1] = prefix
      parts[#parts + 1] = ""
      id_slots[#id_slots + 1] = #parts
      parts[#parts + 1] = "-" .. j .. suffix .. "\n"
    end
    headers["Content-Type"] = "application/x-ndjson"
  end
end

function request()
  sent = sent + 1
  local base = run_id .. "-" .. tid .. "-" .. sent
  for i = 1, #id_slots do parts[id_slots[i]] = base end
  return wrk.format("POST", nil, headers, table.concat(parts))
end

function done(summary, latency, requests)
  local sent_total, sent_by_thread = 0, {}
  for i, t in ipairs(threads) do
    local s = t:get("sent") or 0
    sent_total = sent_total + s
    sent_by_thread[#sent_by_thread + 1] = tostring(s)
  end
  local e = summary.errors
  io.write(string.format(
    'INGEST_RESULT {"duration_us":%d,"requests":%d,"non2xx":%d,"sent":%d,' ..
    '"sent_by_thread":[%s],"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_timeout":%d,"bytes_read":%d,"latency_p50_us":%d,"latency_p99_us":%d,' ..
    '"latency_max_us":%d}\n',
    summary.duration, summary.requests, e.status, sent_total, table.concat(sent_by_thread, ","),
    e.connect, e.read, e.write, e.timeout, summary.bytes, latency:percentile(50),
    latency:percentile(99), latency.max))
end
