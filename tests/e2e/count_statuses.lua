-- wrk script for tests/e2e/run.sh: counts the responses by status across all threads and checks that every
-- 429 carries Retry-After. The Authorization value comes from the environment (E2E_AUTHORIZATION), so that
-- the key stays out of wrk's argv. done() prints two lines that e2e.py parses:
--   STATUSES ok=<200s> limited=<429s> other=<others> limited_without_retry_after=<n>
--   SUMMARY requests=<n> duration_us=<n> connect=<n> read=<n> write=<n> timeout=<n> status=<n>
local authorization = os.getenv("E2E_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

local threads = {}

-- Runs in the main thread once per wrk thread: remembers it so done() can read its counters.
function setup(thread)
  table.insert(threads, thread)
end

-- Runs in each thread: its counters start at zero.
function init(args)
  ok, limited, other, limited_without_retry_after = 0, 0, 0, 0
end

-- True when the response headers hold Retry-After, whatever the case of the name.
local function has_retry_after(headers)
  for name, _ in pairs(headers) do
    if string.lower(name) == "retry-after" then return true end
  end
  return false
end

-- Runs in each thread for every response.
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 429 then
    limited = limited + 1
    if not has_retry_after(headers) then limited_without_retry_after = limited_without_retry_after + 1 end
  else
    other = other + 1
  end
end

-- Runs in the main thread at the end: sums the threads' counters and prints wrk's own totals.
function done(summary, latency, requests)
  local totals = { ok = 0, limited = 0, other = 0, limited_without_retry_after = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  io.write(string.format("STATUSES ok=%d limited=%d other=%d limited_without_retry_after=%d\n",
    totals.ok, totals.limited, totals.other, totals.limited_without_retry_after))
  local e = summary.errors
  io.write(string.format("SUMMARY requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status))
end
