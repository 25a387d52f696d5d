#!/usr/bin/env bash
# keyward benchmarks: builds the benchmarks (meson, release) and runs every benchmark binary against every
# peer installed, writing one Google Benchmark JSON file per run and machine.json (date, CPU, kernel,
# compiler, peer versions, the exact commands) into OUT_DIR. benchmarks/report.py turns them into the tables
# of README.md and docs/benchmarks.md and into the charts of docs/images.
#
# Run from anywhere: bash benchmarks/run.sh [--quick] [--build DIR] [OUT_DIR]
#   OUT_DIR      where the JSON goes (default benchmarks/results; with --quick, BUILD/quick-results)
#   --build DIR  the meson build directory (default build-bench in the repository, which git ignores)
#   --quick      tiny min_time and 2 repetitions: checks the pipeline in a few minutes; the numbers are noise
# A full run takes about 12 minutes on a 2-core machine, the build from scratch included; run it on a quiet
# one. Single-threaded benchmarks are pinned to one CPU (the last one, or $KEYWARD_BENCH_CPU); rate_bench's
# two-thread cases get two CPUs. The Redis benchmarks run when hiredis was found and redis-server is
# installed: each starts a redis-server of its own on a free loopback port and stops it when it ends
# (tests/support/redis_server.hpp).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
build="$root/build-bench"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --build) [ $# -ge 2 ] || { echo "run.sh: --build needs a directory" >&2; exit 2; }; build=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "run.sh: one OUT_DIR only" >&2; exit 2; }; out=$1 ;;
  esac
  shift
done
mkdir -p "$build"
build=$(cd "$build" && pwd)
# A quick run's noise never lands in the committed results unless asked for.
if [ "$quick" -eq 1 ]; then out=${out:-$build/quick-results}; else out=${out:-$root/benchmarks/results}; fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin="$build/benchmarks"
logs="$build/bench-logs"  # the console output of each run, kept out of OUT_DIR
mkdir -p "$logs"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
started=$(date +%s)
started_iso=$(date -u +%Y-%m-%dT%H:%M:%SZ)

if [ "$quick" -eq 1 ]; then
  mode=quick; repetitions=2; min_time=0.01; redis_min_time=0.01
  keys_count=20000      # keys_bench's store; 1M in a full run (several seconds and ~500 MB to set up)
  redis_requests=2000   # redis-benchmark -n per repetition
  redis_bench_args=(--quick --repetitions 2)
else
  mode=full; repetitions=5; min_time=0.2; redis_min_time=0.5  # round trips to Redis vary more per call
  keys_count=1000000
  redis_requests=20000
  redis_bench_args=(--repetitions 5 --seconds 1)
fi

# One CPU for single-threaded runs, two for rate_bench's two-thread cases; no pinning without taskset.
cpus=$(nproc)
cpu=${KEYWARD_BENCH_CPU:-$((cpus - 1))}
pinned=""
pin_one=()
pin_two=()
if command -v taskset >/dev/null; then
  pinned=$cpu
  pin_one=(taskset -c "$cpu")
  pin_two=("${pin_one[@]}")
  [ "$cpus" -lt 2 ] || pin_two=(taskset -c "$(( cpu == 0 ? 1 : cpu - 1 )),$cpu")
else
  echo "run.sh: taskset not found: runs are not pinned" >&2
fi

echo "=== build: $build"
options=(-Dbenchmarks=true -Dtests=false -Dbuildtype=release)
if [ -f "$build/build.ninja" ]; then
  # Reconfigure only when an option differs: reconfiguring rebuilds everything.
  if ! "$python" -c 'import json, sys
given = {o["name"]: o["value"] for o in json.load(open(sys.argv[1]))}
sys.exit((given.get("benchmarks"), given.get("tests"), given.get("buildtype")) != (True, False, "release"))' \
      "$build/meson-info/intro-buildoptions.json"; then
    meson configure "$build" "${options[@]}" >"$logs/meson.log" 2>&1
  fi
else
  meson setup "$build" "$root" "${options[@]}" >"$logs/meson.log" 2>&1 ||
    { tail -30 "$logs/meson.log"; exit 1; }
fi
ninja -C "$build" >"$logs/ninja.log" 2>&1 || { grep -E 'error|FAILED' "$logs/ninja.log" | head -40; exit 1; }

names=(base64 crypto http jwt keys keys_1000 rate rate_threads scan keys_redis redis)
for name in "${names[@]}"; do rm -f "$out/$name.json"; done
rm -f "$out/machine.json"
: >"$logs/commands.txt"   # every command run, for machine.json
: >"$logs/skipped.txt"    # runs left out, with the reason

# run NAME [VAR=VALUE...] -- COMMAND...: runs one benchmark program, its console output into the logs.
run() {
  local name=$1; shift
  local env=()
  while [ "$1" != "--" ]; do env+=("$1"); shift; done
  shift
  local shown="" word
  for word in "${env[@]+"${env[@]}"}" "$@"; do  # quoted where a shell needs it
    if [[ $word =~ ^[-A-Za-z0-9_./=:,+]+$ ]]; then shown+="$word "; else shown+="'$word' "; fi
  done
  shown=${shown% }
  shown=${shown//$root\//}  # paths inside the repository, relative to it
  echo "$shown" >>"$logs/commands.txt"
  echo "=== $name: $shown"
  local t0=$SECONDS
  if ! env "${env[@]+"${env[@]}"}" "$@" >"$logs/$name.txt" 2>&1; then
    tail -30 "$logs/$name.txt"; echo "run.sh: $name failed (log: $logs/$name.txt)" >&2; exit 1
  fi
  echo "    $((SECONDS - t0)) s"
}

# gbench NAME [VAR=VALUE...] -- PROGRAM [ARGS...]: a Google Benchmark program with the common flags, its JSON
# into OUT_DIR/NAME.json.
gbench() {
  local name=$1; shift
  run "$name" "$@" --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true --benchmark_out="$out/$name.json" --benchmark_out_format=json
}

gbench base64 -- "${pin_one[@]}" "$bin/base64_bench" --benchmark_min_time="$min_time"
gbench crypto -- "${pin_one[@]}" "$bin/crypto_bench" --benchmark_min_time="$min_time"
gbench http -- "${pin_one[@]}" "$bin/http_bench" --benchmark_min_time="$min_time"
gbench jwt -- "${pin_one[@]}" "$bin/jwt_bench" --benchmark_min_time="$min_time"
gbench keys KEYWARD_BENCH_KEYS="$keys_count" -- "${pin_one[@]}" "$bin/keys_bench" --benchmark_min_time="$min_time"
# The verifications again with a store small enough to stay in the caches.
gbench keys_1000 KEYWARD_BENCH_KEYS=1000 -- "${pin_one[@]}" "$bin/keys_bench" --benchmark_filter='^verify/' \
  --benchmark_min_time="$min_time"
gbench rate -- "${pin_one[@]}" "$bin/rate_bench" --benchmark_filter=-threads:2 --benchmark_min_time="$min_time"
# The two-thread cases on two CPUs, without interleaving. The keyed cases' shared limiter and map are
# function-local statics built by whichever thread comes first (the others wait), so the cases may run in any
# order (the filter also takes the keyed one-thread runs; the one-thread figures come from rate.json).
run rate_threads -- "${pin_two[@]}" "$bin/rate_bench" --benchmark_filter='threads:2|^keyed/(keyward|mutex_map)/' \
  --benchmark_min_time="$min_time" --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/rate_threads.json" --benchmark_out_format=json
gbench scan -- "${pin_one[@]}" "$bin/scan_bench" --benchmark_min_time="$min_time"

redis_server=$(command -v redis-server || true)
if [ ! -x "$bin/redis_bench" ] || [ ! -x "$bin/keys_redis_bench" ]; then
  echo "redis, keys_redis: not built (hiredis not found)" >>"$logs/skipped.txt"
elif [ -z "$redis_server" ]; then
  echo "redis, keys_redis: redis-server not installed" >>"$logs/skipped.txt"
else
  gbench keys_redis KEYWARD_REDIS_SERVER="$redis_server" KEYWARD_BENCH_REDIS_REQUESTS="$redis_requests" -- \
    "${pin_one[@]}" "$bin/keys_redis_bench" --benchmark_min_time="$redis_min_time"
  # redis_bench is a plain program that prints a Markdown table of medians; its rows become redis.json.
  run redis KEYWARD_REDIS_SERVER="$redis_server" -- "${pin_one[@]}" "$bin/redis_bench" "${redis_bench_args[@]}"
  "$python" - "$logs/redis.txt" "$out/redis.json" "$repetitions" <<'EOF'
# "| case | ops/s | range, k/s |" rows -> median rows in Google Benchmark's JSON shape (items_per_second).
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) == 3 and cells[1].replace(".", "").isdigit():
        rows.append({"name": cells[0], "run_name": cells[0], "run_type": "aggregate", "aggregate_name": "median",
                     "repetitions": int(sys.argv[3]), "items_per_second": float(cells[1])})
if not rows:
    sys.exit("run.sh: no table rows in " + sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump({"context": {"executable": "redis_bench"}, "benchmarks": rows}, f, indent=2)
EOF
fi

# machine.json: the machine, the compiler, the version of every peer (dpkg-query; "" when not installed) and
# the commands, which report.py prints above every table.
packages=""
for p in libbenchmark-dev libssl-dev libsodium-dev libboost-dev libpoco-dev libcpp-httplib-dev libjwt-dev \
         libcpp-jwt-dev nlohmann-json3-dev libhiredis-dev redis-server redis-tools; do
  packages+="$p=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true) "
done
KW_ROOT=$root KW_BUILD=$build KW_LOGS=$logs KW_DATE=$started_iso KW_MODE=$mode KW_PINNED=$pinned \
KW_SECONDS=$(( $(date +%s) - started )) KW_REPETITIONS=$repetitions KW_MIN_TIME=$min_time \
KW_KEYS=$keys_count KW_REDIS_REQUESTS=$redis_requests KW_PACKAGES=$packages \
  "$python" - "$out/machine.json" <<'EOF'
import json, os, platform, re, subprocess, sys

env = os.environ


def run(*command):
    try:
        r = subprocess.run(command, capture_output=True, text=True)
    except OSError:
        return ""
    return r.stdout.strip() if r.returncode == 0 else ""


def lscpu(field):
    m = re.search(r"^" + re.escape(field) + r":\s*(.+)$", run("lscpu"), re.M)
    return m.group(1).strip() if m else ""


def os_name():
    try:
        for line in open("/etc/os-release", encoding="utf-8"):
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def compiler():
    """('gcc 12.2.0', the compiler's own version line) from meson's log of the build."""
    try:
        with open(os.path.join(env["KW_BUILD"], "meson-logs", "meson-log.txt"), encoding="utf-8") as f:
            m = re.search(r'C\+\+ compiler for the host machine: .*?\((\S+) (\S+) "(.*)"\)', f.read())
        return m.group(1) + " " + m.group(2), m.group(3)
    except (OSError, AttributeError):
        return "", run("c++", "--version").split("\n")[0]


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


flags = lscpu("Flags").split()
machine = {
    "date": env["KW_DATE"],
    "mode": env["KW_MODE"],
    "command": "bash benchmarks/run.sh" + (" --quick" if env["KW_MODE"] == "quick" else ""),
    "duration_seconds": int(env["KW_SECONDS"]),
    "cpu": lscpu("Model name"),
    "cpu_flags": [f for f in ["avx2", "bmi2", "avx512bw", "avx512vbmi", "sha_ni"] if f in flags],
    "cores": os.cpu_count(),
    "pinned_cpu": env["KW_PINNED"],
    "os": os_name(),
    "kernel": platform.release(),
    "compiler": compiler()[0].replace("gcc ", "g++ ").replace("clang ", "clang++ "),
    "compiler_version": compiler()[1],
    "flags": "-O3 (meson buildtype=release), no -march",
    "repetitions": int(env["KW_REPETITIONS"]),
    "min_time": float(env["KW_MIN_TIME"]),
    "keys_bench_keys": int(env["KW_KEYS"]),
    "redis_benchmark_requests": int(env["KW_REDIS_REQUESTS"]),
    "python_re": run("python3", "-c", "import sys; print(sys.version.split()[0])"),
    "commit": run("git", "-C", env["KW_ROOT"], "rev-parse", "HEAD"),
    "commit_dirty": bool(run("git", "-C", env["KW_ROOT"], "status", "--porcelain", "--untracked-files=no")),
    "packages": dict(sorted(p.split("=", 1) for p in env["KW_PACKAGES"].split())),
    "skipped": lines(os.path.join(env["KW_LOGS"], "skipped.txt")),
    "commands": lines(os.path.join(env["KW_LOGS"], "commands.txt")),
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(machine, f, indent=2)
    f.write("\n")
EOF

echo "=== $mode run: wrote $(ls "$out" | wc -l) files to $out in $(( $(date +%s) - started )) s"
while read -r line; do echo "skipped: $line"; done <"$logs/skipped.txt"
