#!/usr/bin/env bash
# End-to-end test of the example API server and client (issue 16 item 3), on 127.0.0.1 only:
#   bash tests/e2e/run.sh BUILD_DIR WORK_DIR
# BUILD_DIR holds examples/api_server and examples/api_client (a meson build of this tree); WORK_DIR receives the
# servers' logs and demo-key files. Needs curl, wrk, redis-server (its checks print SKIP without it) and
# /usr/bin/python3 with python3-jwt. The checks are in e2e.py beside this script (wrk's status counting in
# count_statuses.lua): curl on every denial path and success (Bearer and Basic), the Standard Webhooks receiver,
# the JWT endpoint, revocation, the --log lines, the server's limits (body size, read and keep-alive
# timeouts, the webhook replay cache), the example client, bounded load with wrk, two servers sharing Redis,
# and examples/demo.sh. Prints "PASS <check> (<s> s)" or "FAIL <check>: <why> (<s> s)" per check (tools/test.sh's
# lines_job counts them), "TIME <section> <s> s" per section; exits non-zero when a check failed.
# Bounded: each step has its own timeout, the whole run at most 100 s (about 30 s normally). Every process
# started is killed on exit, even on failure or interruption: e2e.py starts each in its own process group and
# lists the running ones in WORK_DIR/pids as "PID PROGRAM" lines (taking each off once it has reaped it).
set -uo pipefail

if [ $# -ne 2 ]; then echo "usage: bash tests/e2e/run.sh BUILD_DIR WORK_DIR" >&2; exit 2; fi
here=$(cd "$(dirname "$0")" && pwd)
work=$2
mkdir -p "$work"
: >"$work/pids"

# Kills the process groups of what e2e.py started and has not reaped (its own cleanup normally leaves none).
# A listed id is killed only while /proc/PID is still that program, so a reused id is left alone.
# shellcheck disable=SC2317  # run by the EXIT trap
kill_started() {
  local pid program argv0
  while read -r pid program; do
    if [ -z "$pid" ] || [ ! -r "/proc/$pid/cmdline" ]; then continue; fi
    # The first word of argv[0] (redis-server rewrites its argv into one "redis-server HOST:PORT" string).
    argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -1)
    argv0=${argv0%% *}
    [ "${argv0##*/}" = "$program" ] && kill -KILL -- "-$pid" 2>/dev/null
  done <"$work/pids"
  return 0
}
trap kill_started EXIT
# The test runs in the background so that a signal to this script is handled at once (bash runs a trap only
# after the foreground command ends): TERM/INT stop the test (e2e.py stops its processes on SIGTERM), then the
# EXIT trap kills whatever is left.
timeout --kill-after=10 100 /usr/bin/python3 "$here/e2e.py" "$1" "$work" &
test_pid=$!
trap 'kill -TERM "$test_pid" 2>/dev/null; wait "$test_pid"; exit 130' INT TERM
wait "$test_pid"
status=$?
if [ $status -eq 124 ] || [ $status -eq 137 ]; then echo "FAIL e2e: the run exceeded 100 s and was stopped"; fi
exit $status
