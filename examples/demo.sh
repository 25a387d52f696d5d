#!/usr/bin/env bash
# The README's demo: starts the example API server (examples/api_server) with demo keys and a quota of 2
# requests per 60 s on a free loopback port, then shows, through curl, an authenticated request (200), refused
# ones (401) and requests until one is rate limited (429 with Retry-After and RateLimit), and stops the server.
#   bash examples/demo.sh [BUILD_DIR]      (default: build; the server is BUILD_DIR/examples/api_server)
# Needs bash and curl. Exits 1 if a step did not answer as shown in the headings.
set -euo pipefail

build=${1:-build}
server=$build/examples/api_server
if [ ! -x "$server" ]; then
  echo "demo: $server not found: build first (meson setup $build && ninja -C $build)" >&2
  exit 1
fi

work=$(mktemp -d)
server_pid=
# Stops the server and removes the demo key file, however the demo ends.
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
  return 0
}
trap stop_server EXIT

# The pepper that makes the stored key digests useless without it (random for the demo: keys live in memory).
KEYWARD_PEPPER=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export KEYWARD_PEPPER

"$server" --host 127.0.0.1 --port 0 --quota 2/60 --demo-keys "$work/keys.env" >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/stdout" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
base=$(sed -n 's/^listening on //p' "$work/stdout")
if [ -z "$base" ]; then echo "demo: the server did not start: $(cat "$work/stderr")" >&2; exit 1; fi
# shellcheck disable=SC1091  # written by the server: LIVE_KEY=..., LIVE_KEY_ID=..., ...
. "$work/keys.env"

failed=0
# show EXPECTED_STATUS SHOWN AUTHORIZATION URL: prints the request as typed (SHOWN: the key as $LIVE_KEY), sends
# it with the AUTHORIZATION header line (none when empty) on curl's stdin (`-H @-`), so that the key is not in
# curl's argv (which `ps` shows to every user), then prints the status line, the authentication and rate-limit
# headers and the body of the answer.
show() {
  local want=$1 shown=$2 authorization=$3 url=$4
  echo "\$ curl -i $shown"
  local answer
  answer=$(printf '%s\n' "$authorization" | curl -sS -i --max-time 5 -H @- "$url") || true
  printf '%s\n' "$answer" | tr -d '\r' |
    grep -iE '^(HTTP/|Content-Type:|WWW-Authenticate:|RateLimit-Policy:|RateLimit:|Retry-After:|\{)' |
    sed 's/^/  /' || true
  # The status code is the second word of the first line. Read without a pipe into `head`: under pipefail, head
  # exiting after one line can end printf with SIGPIPE, and set -e would then stop the demo midway.
  local status first_line=${answer%%$'\n'*}
  read -r _ status _ <<<"${first_line%$'\r'}"
  if [ "$status" != "$want" ]; then echo "  (expected $want)"; failed=1; fi
  echo
}

# The key shortened for display: its prefix and the first 4 characters of its id, never the secret.
redacted=${LIVE_KEY:0:17}...
echo "== keyward demo: an API on $base, protected by keyward (every key: 2 requests per 60 s)"
echo "   demo key LIVE_KEY=$redacted (a live secret key; the server stores only its digest)"
echo "   each answer below: its status line, its authentication and rate-limit headers, and its JSON body"
echo "   (the Authorization header goes on curl's stdin, -H @-, so that the key is not in the process list)"
echo

echo "== 1. An authenticated request: the key as a Bearer token -> 200"
show 200 "-H @- $base/v1/items <<<\"Authorization: Bearer \$LIVE_KEY\"" \
  "Authorization: Bearer $LIVE_KEY" "$base/v1/items"

echo "== 2. Refused requests: no key -> 401 MISSING_API_KEY; a wrong key -> 401 INVALID_API_KEY"
show 401 "$base/v1/items" "" "$base/v1/items"
wrong_key=${LIVE_KEY%????}XXXX
show 401 "-H @- $base/v1/items <<<\"Authorization: Bearer ${redacted}XXXX\"  (LIVE_KEY with its end changed)" \
  "Authorization: Bearer $wrong_key" "$base/v1/items"

echo "== 3. Requests until the quota is used up: request 1 above spent one of the 2, so 200 once more, then 429"
basic=$(printf '%s:' "$LIVE_KEY" | base64 -w0)
shown_basic="Basic \$(printf '%s:' \"\$LIVE_KEY\" | base64 -w0)"
for want in 200 429; do
  show "$want" "-H @- $base/v1/ping <<<\"Authorization: $shown_basic\"  (the key as the Basic user, empty password)" \
    "Authorization: Basic $basic" "$base/v1/ping"
done

echo "== Stopping the server"
if [ "$failed" -ne 0 ]; then echo "demo: a step did not answer as expected" >&2; exit 1; fi
