#!/usr/bin/env bash
# What keyward's authentication, rate limit and headers cost end to end (issue 16 item 4): wrk against the
# example server (examples/api_server, a release build), comparing in one run
#   bare   GET /public/ping  no authentication: the same handler and JSON body, nothing checked; sent the
#                            same Authorization field as bearer (ignored), so that both requests have the same
#                            bytes and the difference is only what the server does with the key
#   bearer GET /v1/ping      Authorization: Bearer BULK_KEY: key parsed, digest looked up and compared in
#                            constant time, environment and scope checked, rate limit taken (BULK_KEY's quota
#                            is 10^9/s, so nothing is refused), RateLimit-Policy and RateLimit written
#   basic  GET /v1/ping      the same key as the Basic user (BASIC=0 leaves this variant out)
# in ROUNDS interleaved rounds (default 10) of SECONDS_PER_ROUND seconds (default 3) per variant after a 1 s
# warm-up of each, the order of the variants reversed every other round so that a drift of the machine affects
# them alike (about 100 s in all by default). Prints the exact commands and the load average at the start and
# the end, then the headline figures: the server's CPU time per request (its threads' /proc schedstat over the
# run / the requests wrk counted; median of the rounds with the lowest and highest), whose difference is what
# keyward adds per request, and a verdict on whether that is under 3 % of the bare request's CPU time, or
# "inconclusive" when the spread between rounds exceeds the measured difference. Then, secondary, a Markdown
# table with requests/s and latency p50/p90/p99 (wrk --latency, medians): with wrk's core setting the rate
# (see below), requests/s differences between variants are mostly noise.
#   bash benchmarks/http_overhead.sh [BUILD_DIR]     (default build; needs wrk, taskset, python3)
# PROFILE=1 adds one more Bearer run under `perf record` (linux-perf) and prints the share of the server's CPU
# samples spent in keyward's functions: a measure of the cost that other load on the machine does not blur.
#
# Machine: made for 2 cores, where wrk and the server share the machine. Each gets one core (taskset): the
# server's threads on CPU 0, wrk's single event-driven thread (-t1) on CPU 1, so that neither steals the
# other's cycles and other processes move to whichever core is less busy. Measured this way on the 2-core
# development machine, the server's core is about half busy and wrk's core (wrk plus the kernel's loopback TCP
# work) sets the rate: requests/s (what a client sees) understates what the server spends, so the table also
# gives the server's CPU time per request, the figure that measures keyward's cost. cpp-httplib serves each
# keep-alive connection on one worker thread, so the server gets as many threads as wrk has connections
# (--threads 4, -c4): fewer threads would leave connections waiting for a worker, and 4 keep requests in
# flight while some threads wait in the kernel. SERVER_CPUS / WRK_CPUS / CONNECTIONS override the choices
# (e.g. SERVER_CPUS=0-1 WRK_CPUS=0-1 for no pinning).
set -euo pipefail

build=${1:-build}
rounds=${ROUNDS:-10}
seconds=${SECONDS_PER_ROUND:-3}
connections=${CONNECTIONS:-4}
server_cpus=${SERVER_CPUS:-0}
wrk_cpus=${WRK_CPUS:-1}
with_basic=${BASIC:-1}
server=$build/examples/api_server
if [ ! -x "$server" ]; then echo "http_overhead: $server not found: build it first" >&2; exit 1; fi
for tool in wrk taskset python3; do
  command -v "$tool" >/dev/null || { echo "http_overhead: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=
# Stops the server (and a wrk still running) and removes the work directory, however the script ends.
cleanup() {
  if [ -n "${wrk_pid:-}" ]; then kill "$wrk_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
  return 0
}
trap cleanup EXIT

KEYWARD_PEPPER=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export KEYWARD_PEPPER
server_command=(taskset -c "$server_cpus" "$server" --host 127.0.0.1 --port 0 --threads "$connections"
                --demo-keys "$work/keys.env")
"${server_command[@]}" >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/stdout" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
base=$(sed -n 's/^listening on //p' "$work/stdout")
if [ -z "$base" ]; then echo "http_overhead: the server did not start: $(cat "$work/stderr")" >&2; exit 1; fi
# shellcheck disable=SC1091  # written by the server: BULK_KEY=...
. "$work/keys.env"

# The Authorization field comes from the environment so that the key is not in wrk's argv (and the commands
# printed below can be shown as they ran). Only wrk.headers is set, so wrk keeps its fast path (no Lua per
# request) for every variant alike.
cat >"$work/authorization.lua" <<'EOF'
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then wrk.headers["Authorization"] = authorization end
EOF

variants=(bare bearer)
if [ "$with_basic" = 1 ]; then variants+=(basic); fi
# path_of VARIANT / authorization_of VARIANT: what each variant requests.
path_of() { if [ "$1" = bare ]; then echo /public/ping; else echo /v1/ping; fi; }
authorization_of() {
  case $1 in
    bare | bearer) echo "Bearer $BULK_KEY" ;;
    basic) echo "Basic $(printf '%s:' "$BULK_KEY" | base64 -w0)" ;;
  esac
}
shown_authorization() {
  case $1 in
    bare | bearer) echo "\"Bearer \$BULK_KEY\"" ;;
    basic) echo "\"Basic base64(\$BULK_KEY:)\"" ;;
  esac
}

# server_cpu_ns: the CPU time the server's threads have used so far, in ns (the first field of each thread's
# /proc schedstat; cpp-httplib's pool threads live as long as the server, so differences are exact).
server_cpu_ns() {
  local total=0 used _
  for task in /proc/"$server_pid"/task/*/schedstat; do
    read -r used _ <"$task" && total=$((total + used))
  done
  echo "$total"
}

# measure VARIANT DURATION OUTPUT: one wrk run, followed in OUTPUT by the server's CPU time during it.
measure() {
  local cpu_before
  cpu_before=$(server_cpu_ns)
  BENCH_AUTHORIZATION=$(authorization_of "$1") taskset -c "$wrk_cpus" \
    wrk -t1 -c"$connections" -d"$2"s --latency -s "$work/authorization.lua" "$base$(path_of "$1")" >"$3" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=
  echo "SERVER_CPU_NS $(($(server_cpu_ns) - cpu_before))" >>"$3"
}

echo "# keyward HTTP overhead: $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "server: KEYWARD_PEPPER=<random> ${server_command[*]/$work\/keys.env/KEYS_FILE}"
for v in "${variants[@]}"; do
  echo "$v: BENCH_AUTHORIZATION=$(shown_authorization "$v") taskset -c $wrk_cpus wrk -t1 -c$connections" \
    "-d${seconds}s --latency -s authorization.lua $base$(path_of "$v")"
done
echo "(authorization.lua: wrk.headers[\"Authorization\"] = os.getenv(\"BENCH_AUTHORIZATION\") when set)"
echo "warm-up 1 s per variant, then $rounds rounds of ${seconds} s per variant, order reversed every other round"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

for v in "${variants[@]}"; do measure "$v" 1 "$work/warmup.$v.txt"; done
for round in $(seq "$rounds"); do
  order=("${variants[@]}")
  if [ $((round % 2)) -eq 0 ]; then
    order=(); for ((i = ${#variants[@]} - 1; i >= 0; i--)); do order+=("${variants[$i]}"); done
  fi
  for v in "${order[@]}"; do measure "$v" "$seconds" "$work/round$round.$v.txt"; done
  echo "round $round done (${order[*]})"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${PROFILE:-0}" = 1 ]; then
  echo "profile: perf record -F 2000 -p <server> during: BENCH_AUTHORIZATION=\"Bearer \$BULK_KEY\" ... wrk" \
    "-d${seconds}s $base/v1/ping"
  perf record -q -F 2000 -p "$server_pid" -o "$work/perf.data" -- sleep "$((seconds + 1))" 2>"$work/perf.log" &
  perf_pid=$!
  sleep 0.5
  measure bearer "$seconds" "$work/profile.txt"
  wait "$perf_pid" || { echo "perf record failed: $(head -3 "$work/perf.log")" >&2; }
  if [ -s "$work/perf.data" ]; then
    perf report -i "$work/perf.data" --no-children --sort dso,symbol -g none 2>/dev/null |
      awk '/%/ && /keyward::/ { keyward += $1 } /%/ && /api_server/ { program += $1 }
           END { printf "profile: keyward functions %.2f %% of the server'"'"'s samples (the whole api_server" \
                        " binary, example code included: %.2f %%; the rest: kernel, libc, cpp-httplib)\n",
                        keyward, program }'
  fi
fi

python3 - "$work" "$rounds" "${variants[@]}" <<'EOF'
import re, statistics, sys

work, rounds, variants = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}

def parse(path):
    """requests/s, {percentile: ms}, the server's CPU us per request, and the problems wrk reported."""
    text = open(path).read()
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M).group(1))
    requests = int(re.search(r"^\s*(\d+) requests in", text, re.M).group(1))
    cpu_us = int(re.search(r"^SERVER_CPU_NS (\d+)", text, re.M).group(1)) / 1000 / requests
    latency = {int(p): float(v) * unit[u] for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    problems = re.findall(r"^\s*(Socket errors:.*|Non-2xx or 3xx responses:.*)$", text, re.M)
    return rps, latency, cpu_us, problems

results = {v: [parse(f"{work}/round{r}.{v}.txt") for r in range(1, rounds + 1)] for v in variants}
labels = {"bare": "`GET /public/ping` (no auth)", "bearer": "`GET /v1/ping` (Bearer key)",
          "basic": "`GET /v1/ping` (Basic key)"}
median = statistics.median
cpu = {v: [r[2] for r in results[v]] for v in variants}
bare_cpu = median(cpu["bare"])

# Headline: the server's CPU time per request. The difference of the medians is what keyward adds; it is
# only meaningful when it exceeds how much the rounds of one variant differ among themselves.
print()
print("server CPU time per request (median of the rounds, min-max):")
for v in variants:
    print(f"  {v:6} {median(cpu[v]):7.2f} us ({min(cpu[v]):.2f}-{max(cpu[v]):.2f})  {labels[v]}")
for v in variants[1:]:
    added = median(cpu[v]) - bare_cpu
    spread = max(max(cpu[v]) - min(cpu[v]), max(cpu["bare"]) - min(cpu["bare"]))
    share = added / bare_cpu * 100
    print(f"{v}: keyward adds {added:+.2f} us per request ({share:+.1f} % of the bare request's {bare_cpu:.2f} us);"
          f" spread between rounds {spread:.2f} us")
    if spread > abs(added):
        print(f"{v} verdict: inconclusive (the spread between rounds, {spread:.2f} us, exceeds the measured "
              f"difference, {abs(added):.2f} us)")
    else:
        print(f"{v} verdict: {'under' if share < 3 else 'not under'} 3 % of the server's CPU time per request")

print()
print("secondary: requests/s and latency (wrk's core sets the rate here: differences are mostly noise)")
print()
print("| endpoint | requests/s (median, min-max) | p50 | p90 | p99 | server CPU per request (median, min-max) |")
print("|---|---:|---:|---:|---:|---:|")
failed = False
for v in variants:
    rps_all = [r[0] for r in results[v]]
    pct = {p: median(r[1][p] for r in results[v]) for p in (50, 90, 99)}
    print(f"| {labels[v]} | {median(rps_all):,.0f} ({min(rps_all):,.0f}-{max(rps_all):,.0f}) | {pct[50]:.3f} ms | "
          f"{pct[90]:.3f} ms | {pct[99]:.3f} ms | {median(cpu[v]):.2f} us ({min(cpu[v]):.2f}-{max(cpu[v]):.2f}) |")
    for problem in (problem for r in results[v] for problem in r[3]):
        print(f"{v}: {problem}", file=sys.stderr)
        failed = True
if failed:
    print("http_overhead: wrk reported errors or non-2xx responses (see above)", file=sys.stderr)
    sys.exit(1)
EOF
