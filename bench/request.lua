-- wrk script shared by every scenario of bench/driver.py. The request comes from the
-- environment (wrk has no other way to parameterise a script):
--   BENCH_METHOD         GET (default) or POST
--   BENCH_AUTH           value of the Authorization header (e.g. "Basic ..."); none when unset
--   BENCH_BODY_FILE      file whose bytes are the request body
--   BENCH_CONTENT_TYPE   Content-Type of the body
--   BENCH_SOAP_ACTION    SOAPAction header (SOAP 1.1)
--   BENCH_EXPECT_STATUS  when set, every response whose status differs is counted as an error
--                        (scenario 7 expects 401). This makes wrk parse each response in Lua,
--                        so only bcrypt-bound scenarios set it; the others rely on wrk's own
--                        count of statuses >= 400.
-- done() prints one line, "BENCH_RESULT {json}", that the driver reads.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
end
local content_type = os.getenv("BENCH_CONTENT_TYPE")
if content_type and content_type ~= "" then
  wrk.headers["Content-Type"] = content_type
end
local soap_action = os.getenv("BENCH_SOAP_ACTION")
if soap_action and soap_action ~= "" then
  wrk.headers["SOAPAction"] = soap_action
end

local expect = tonumber(os.getenv("BENCH_EXPECT_STATUS") or "")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if expect then
  unexpected = 0
  function response(status, headers, body)
    if status ~= expect then
      unexpected = unexpected + 1
    end
  end
end

function done(summary, latency, requests)
  local unexpected_total = 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"expect_status":%s,"unexpected_status":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    expect and tostring(expect) or "null", unexpected_total,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
