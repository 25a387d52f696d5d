#!/usr/bin/python3
"""End-to-end test of examples/api_server and examples/api_client (issue 16 item 3), run by tests/e2e/run.sh.

Usage: /usr/bin/python3 tests/e2e/e2e.py BUILD_DIR WORK_DIR

Prints one line per check, `PASS <name> (<seconds> s)` or `FAIL <name>: <why> (<seconds> s)`, the duration
being the time the check took since the previous one; `SKIP <what>: <why>` for what cannot run here (no
redis-server); `NOTE ...` for measured values. Exits 1 when any check failed.

Expected values come from this side only: keys from the server's --demo-keys file, signatures from Python's
hmac/hashlib/base64, tokens from PyJWT, well-formed unknown keys from Python's zlib.crc32, statuses and codes
from the example server's documented contract (docs/examples.md). Every process it starts runs in its own
process group and is listed in WORK_DIR/pids while it runs ("PID PROGRAM" lines; removed once reaped, so that
run.sh's EXIT trap never kills a reused id) and is stopped at the end. Only 127.0.0.1. Sanitized builds:
the servers and the client run with exitcode=99 added to ASAN_OPTIONS and UBSAN_OPTIONS (so that a report
is not taken for an expected "exit 1"), and every server's and client's stderr is scanned for reports.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import traceback
import zlib

import jwt  # python3-jwt (Debian); run with /usr/bin/python3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LUA = os.path.join(HERE, "count_statuses.lua")
REALM = "acme-api"
REDIS_THREADS = 4  # --threads of the Redis-mode servers (the warm-up opens one connection per thread)
REDIS_CONNECTIONS = 3  # connections per server of the concurrent Redis check
BODY_LIMIT = 64 * 1024  # the servers' documented request body limit (larger: 413)

failures = 0
last_check = time.monotonic()
started_processes = []
started_servers = []
sanitizer_logs = []  # (name, stderr text) of the programs run to completion with subprocess.run


def say(line):
    """Prints one line at once (the output is read line by line while the test runs)."""
    print(line, flush=True)


def check(name, problems):
    """Prints PASS or FAIL for `name`: `problems` is a list of reasons (empty: pass) or a single reason/None."""
    global failures, last_check
    if not problems:
        problems = []
    elif isinstance(problems, str):
        problems = [problems]
    now = time.monotonic()
    took = f"({now - last_check:.3f} s)"
    last_check = now
    if problems:
        failures += 1
        say(f"FAIL {name}: {'; '.join(problems)} {took}")
    else:
        say(f"PASS {name} {took}")


def free_port():
    """A TCP port free on 127.0.0.1 right now (for redis-server, which needs one up front)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Work:
    """Paths of the run: the build's programs and the work directory."""

    def __init__(self, build, work):
        self.build = os.path.abspath(build)
        self.dir = os.path.abspath(work)
        self.server = os.path.join(self.build, "examples", "api_server")
        self.client = os.path.join(self.build, "examples", "api_client")
        self.pids = os.path.join(self.dir, "pids")

    def path(self, name):
        """A file of the work directory."""
        return os.path.join(self.dir, name)


def write_pids():
    """Rewrites the pid file with the processes started and not yet reaped: "PID PROGRAM" per line. run.sh's
    EXIT trap kills those process groups, after checking that /proc/PID is still that program."""
    live = [p for p in started_processes if p.returncode is None]
    with open(WORK.pids + ".new", "w") as f:
        f.writelines(f"{p.pid} {os.path.basename(p.args[0])}\n" for p in live)
    os.replace(WORK.pids + ".new", WORK.pids)


def track(process):
    """Remembers a started process (started with start_new_session=True: its own process group), here and in
    the pid file that run.sh's EXIT trap reads."""
    started_processes.append(process)
    write_pids()
    return process


def reaped(process):
    """Called once `process` was waited for: takes it off the pid file (its id may be reused from now on)."""
    write_pids()
    return process.returncode


def stop(process, timeout=8.0):
    """SIGTERM, then SIGKILL after `timeout` seconds; returns the exit status. The wait is long because the
    server finishes the requests of an idle keep-alive connection first (its keep-alive timeout)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return reaped(process)


def run_once(name, argv, env=None, timeout=10):
    """Runs a server or client to completion (subprocess.run); its stderr is kept for the sanitizer scan."""
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, env=env or base_env(),
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as expired:  # run() killed it; reported as exit -9
        done = subprocess.CompletedProcess(argv, -9, expired.stdout or b"", expired.stderr or b"")
    sanitizer_logs.append((name, done.stderr.decode(errors="replace")))
    return done


def stop_all():
    """Stops every process started, newest first."""
    for process in reversed(started_processes):
        stop(process)


def read_line(fd, timeout):
    """The first line written to the pipe `fd` within `timeout` seconds, or what came before EOF/timeout."""
    data = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0].decode(errors="replace")


def sanitizer_env():
    """os.environ with exitcode=99 added to ASAN_OPTIONS and UBSAN_OPTIONS (their other options kept): the
    sanitizers' default exit code 1 would look like the documented "exit 1" of some checks."""
    env = dict(os.environ)
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        options = env.get(name, "")
        env[name] = f"{options}:exitcode=99" if options else "exitcode=99"
    return env


def base_env(**extra):
    """The environment for servers: the three secrets of the run, plus `extra` (a value None removes it)."""
    env = sanitizer_env()
    env.update(KEYWARD_PEPPER=PEPPER, WEBHOOK_SECRET=WEBHOOK_SECRET, JWT_SECRET=JWT_SECRET)
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


class Server:
    """A running api_server: its process, base URL, demo keys and stderr log."""

    def __init__(self, name, process, base, keys, log):
        self.name, self.process, self.base, self.keys, self.log = name, process, base, keys, log

    def url(self, path):
        """The absolute URL of `path` on this server."""
        return self.base + path

    @property
    def port(self):
        """The TCP port it listens on."""
        return int(self.base.rsplit(":", 1)[1])


class StartFailed(Exception):
    """The server did not print its `listening on` line."""


def start_server(name, args, env=None, demo_keys=True):
    """Starts api_server on a free loopback port (--port 0) and waits for its `listening on` line."""
    keys_file = WORK.path(f"{name}.keys")
    argv = [WORK.server, "--host", "127.0.0.1", "--port", "0"] + args
    if demo_keys:
        argv += ["--demo-keys", keys_file]
    log = WORK.path(f"{name}.stderr")
    with open(log, "w") as err:
        process = track(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env or base_env(),
                                         stdin=subprocess.DEVNULL, bufsize=0, start_new_session=True))
    started_servers.append((name, process, log))
    line = read_line(process.stdout.fileno(), 10)
    match = re.fullmatch(r"listening on (http://127\.0\.0\.1:(\d+))", line)
    if not match:
        stop(process)
        with open(log) as f:
            raise StartFailed(f"{name}: no 'listening on' line (got {line!r}; stderr: {f.read()[-300:]!r})")
    keys = {}
    if demo_keys:
        with open(keys_file) as f:
            for entry in key_file_entries(f.read()):
                key, _, value = entry.partition("=")
                keys[key] = value
    return Server(name, process, match.group(1), keys, log)


def key_file_entries(text):
    """The NAME=value lines of a --demo-keys file (shell-sourceable: # comments and blank lines skipped)."""
    return [line for line in text.splitlines() if line and not line.startswith("#")]


class Response:
    """One HTTP answer as curl printed it: status, headers (lower-case names), body, and the body as JSON."""

    def __init__(self, raw, curl_status, curl_stderr):
        self.curl_status, self.curl_stderr = curl_status, curl_stderr
        self.status, self.headers, self.body, self.json = 0, {}, b"", None
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = re.match(r"HTTP/\S+ (\d{3})", lines[0])
        if status:
            self.status = int(status.group(1))
        for line in lines[1:]:
            key, _, value = line.partition(":")
            self.headers.setdefault(key.strip().lower(), []).append(value.strip())
        try:
            self.json = json.loads(self.body)
        except ValueError:
            self.json = None

    def header(self, name):
        """The field's value (several lines joined with ", "), or None when absent."""
        values = self.headers.get(name.lower())
        return ", ".join(values) if values else None

    def describe(self):
        """A short account of the response for a failure message."""
        if self.curl_status != 0:
            return f"curl exit {self.curl_status}: {self.curl_stderr.strip()[:200]}"
        return f"got {self.status} {self.body[:200]!r}"


def curl(url, method="GET", headers=(), body=None, timeout=5):
    """Sends one request with curl (-i) and returns the parsed Response. `body` goes through stdin."""
    argv = ["curl", "-sS", "-i", "--max-time", str(timeout), "-X", method]
    for header in headers:
        argv += ["-H", header]
    if method == "POST" and body is None:
        body = b""  # Content-Length: 0 (cpp-httplib 0.11 answers a POST without Content-Length 400 at once)
    if body is not None:
        argv += ["--data-binary", "@-"]
    argv.append(url)
    done = subprocess.run(argv, input=body, capture_output=True, timeout=timeout + 5)
    return Response(done.stdout, done.returncode, done.stderr.decode(errors="replace"))


def concurrent_requests_on(ports, path, authorization, connections, per_connection):
    """`connections` keep-alive connections to each port (http.client), all opened first, then released at once
    by a barrier; each sends `per_connection` GET `path` with the `authorization` header line, and stays open
    until every connection is done (so that the connections to one server are held by distinct worker threads).
    Returns per port the list of statuses; a 429 without Retry-After counts as status -429, an error as 0."""
    results = [[] for _ in ports]
    lock = threading.Lock()
    start = threading.Barrier(len(ports) * connections)
    end = threading.Barrier(len(ports) * connections)
    name, _, value = authorization.partition(":")

    def client(index, port):
        """One connection's requests."""
        codes = []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.connect()
            start.wait(10)
            for _ in range(per_connection):
                connection.request("GET", path, headers={name: value.strip()})
                response = connection.getresponse()
                response.read()
                retry = response.getheader("Retry-After")
                codes.append(-429 if response.status == 429 and retry is None else response.status)
            end.wait(10)
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError):
            codes.append(0)
        finally:
            connection.close()
            with lock:
                results[index].extend(codes)

    threads = [threading.Thread(target=client, args=(i, port)) for i, port in enumerate(ports)
               for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def concurrent_requests(port, path, authorization, connections, per_connection):
    """concurrent_requests_on() for one port: its list of statuses."""
    return concurrent_requests_on([port], path, authorization, connections, per_connection)[0]


def bearer(key):
    """The Authorization field for a key sent as a Bearer token."""
    return f"Authorization: Bearer {key}"


def basic(key):
    """The Authorization field for a key sent as the Basic user, with an empty password."""
    return "Authorization: Basic " + base64.b64encode(f"{key}:".encode()).decode()


def sf_params(value):
    """The parameters of a one-member Structured Field List like `"key";q=2;w=60`: (name, {param: int})."""
    if value is None:
        return None, {}
    first, *params = value.split(";")
    parsed = {}
    for param in params:
        key, _, number = param.strip().partition("=")
        parsed[key] = int(number) if number.isdigit() else number
    return first.strip().strip('"'), parsed


def expect(r, status, code=None, www=None, no_www=False, body=None, rate=None, retry_after=False):
    """The problems of Response `r` against the expectations (empty list: as expected).

    code: the JSON error code (the body must be keyward's error object). www: a regex the WWW-Authenticate
    value must match. body: a dict the JSON body must equal. rate: (q, w) the RateLimit-Policy must carry, and
    RateLimit must be present. retry_after: a Retry-After of delta-seconds must be present.
    """
    if r.status == 0:
        return [r.describe()]
    problems = []
    if r.status != status:
        problems.append(f"status {r.status}, want {status} (body {r.body[:160]!r})")
    content_type = r.header("content-type") or ""
    if not content_type.startswith("application/json"):
        problems.append(f"Content-Type {content_type!r}")
    if code is not None:
        j = r.json
        error = j.get("error") if isinstance(j, dict) else None
        if not (isinstance(j, dict) and j.get("success") is False and isinstance(error, dict)):
            problems.append(f"body not a keyward error object: {r.body[:160]!r}")
        else:
            if error.get("code") != code:
                problems.append(f"code {error.get('code')!r}, want {code}")
            if not isinstance(error.get("message"), str) or not error.get("message"):
                problems.append("no message")
            if not isinstance(error.get("details"), dict):
                problems.append("details is not an object")
    if body is not None and r.json != body:
        problems.append(f"body {r.json!r}, want {body!r}")
    challenge = r.header("www-authenticate")
    if www is not None and (challenge is None or not re.fullmatch(www, challenge)):
        problems.append(f"WWW-Authenticate {challenge!r} does not match {www!r}")
    if no_www and challenge is not None:
        problems.append(f"unexpected WWW-Authenticate {challenge!r}")
    if rate is not None:
        name, policy = sf_params(r.header("ratelimit-policy"))
        if name != "key" or policy.get("q") != rate[0] or policy.get("w") != rate[1]:
            problems.append(f"RateLimit-Policy {r.header('ratelimit-policy')!r}, want \"key\";q={rate[0]};w={rate[1]}")
        name, limit = sf_params(r.header("ratelimit"))
        if name != "key" or not isinstance(limit.get("r"), int) or not isinstance(limit.get("t"), int):
            problems.append(f"RateLimit {r.header('ratelimit')!r}, want \"key\";r=<n>;t=<n>")
    wait = r.header("retry-after")
    if retry_after and (wait is None or not wait.isdigit()):
        problems.append(f"Retry-After {wait!r}, want delta-seconds")
    if not retry_after and wait is not None:
        problems.append(f"unexpected Retry-After {wait!r}")
    return problems


# Patterns of the challenges (RFC 6750 section 3): the realm first, then the error where one applies.
CHALLENGE_NO_ERROR = f'Bearer realm="{REALM}"'
CHALLENGE_INVALID_REQUEST = f'Bearer realm="{REALM}", error="invalid_request".*'
CHALLENGE_INVALID_TOKEN = f'Bearer realm="{REALM}", error="invalid_token".*'
CHALLENGE_INSUFFICIENT_SCOPE = f'Bearer realm="{REALM}", error="insufficient_scope".*'
CHALLENGE_ANY_REALM = f'(Bearer|Basic) realm="{REALM}".*'


BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def unknown_key(prefix="acme_sk_live_"):
    """A well-formed key no server minted: prefix, 12-character id, 32-character secret (base62), then the
    zlib CRC-32 of all of it as 6 base62 digits (keyward's key format, computed here with Python's zlib)."""
    body = prefix + "".join(secrets.choice(BASE62) for _ in range(12 + 32))
    crc = zlib.crc32(body.encode())
    digits = ""
    for _ in range(6):
        crc, digit = divmod(crc, 62)
        digits = BASE62[digit] + digits
    return body + digits


def mutate(key):
    """`key` with its last character changed: same prefix and length, not the key."""
    return key[:-1] + ("A" if key[-1] != "A" else "B")


def section_start_and_arguments():
    """The server's start-up contract: bad arguments exit 2, Redis mode needs a pepper, --demo-keys file."""
    for name, args in [("bad quota", ["--quota", "nonsense"]),
                       ("quota 1000000000000/1 (over what the limiter takes)", ["--quota", "1000000000000/1"]),
                       ("quota 0/1", ["--quota", "0/1"]),
                       ("unknown option", ["--no-such-option"])]:
        bad = run_once("start", [WORK.server, "--port", "0"] + args, timeout=3)
        lines = bad.stderr.decode(errors="replace").strip().splitlines()
        check(f"start/{name}: exit 2, one line on stderr",
              None if bad.returncode == 2 and len(lines) == 1 else f"exit {bad.returncode}, stderr {lines[:3]!r}")


def section_curl(s1):
    """Every denial path and success through curl, Bearer and Basic, on a live in-memory server (quota 100/60)."""
    k = s1.keys
    with open(WORK.path("s1.keys")) as f:
        text = f.read()
    order = [entry.split("=")[0] for entry in key_file_entries(text)]
    problems = [f"a line neither NAME=value nor a # comment: {line.split('=')[0]!r}" for line in text.splitlines()
                if not re.fullmatch(r"[A-Z_]+=\S+|#.*|", line)]
    want = ["LIVE_KEY", "LIVE_KEY_ID", "TEST_KEY", "TEST_KEY_ID", "READONLY_KEY", "READONLY_KEY_ID",
            "ADMIN_KEY", "ADMIN_KEY_ID", "BULK_KEY", "BULK_KEY_ID"]
    mode = stat.S_IMODE(os.stat(WORK.path("s1.keys")).st_mode)
    check("demo-keys/file", problems + [p for p in [
        None if order == want else f"names {order}, want {want}",
        None if mode == 0o600 else f"mode {oct(mode)}, want 0o600",
        None if k.get("LIVE_KEY", "").startswith("acme_sk_live_") else "LIVE_KEY not acme_sk_live_",
        None if k.get("TEST_KEY", "").startswith("acme_sk_test_") else "TEST_KEY not acme_sk_test_"] if p])

    check("curl/healthz 200", expect(curl(s1.url("/healthz")), 200, body={"status": "ok"}))
    check("curl/public-ping 200", expect(curl(s1.url("/public/ping")), 200, body={"pong": True}))

    r = curl(s1.url("/v1/items"), headers=[bearer(k["LIVE_KEY"])])
    problems = expect(r, 200, rate=(100, 60), no_www=True)
    if r.json is None or r.json.get("owner") != "acct_demo" or r.json.get("livemode") is not True \
            or not isinstance(r.json.get("items"), list):
        problems.append(f"body {r.body[:160]!r}")
    check("curl/bearer GET /v1/items 200", problems)
    first_remaining = sf_params(r.header("ratelimit"))[1].get("r")

    r = curl(s1.url("/v1/items"), headers=[basic(k["LIVE_KEY"])])
    problems = expect(r, 200, rate=(100, 60), no_www=True)
    if r.json is None or r.json.get("owner") != "acct_demo":
        problems.append(f"body {r.body[:160]!r}")
    remaining = sf_params(r.header("ratelimit"))[1].get("r")
    if isinstance(first_remaining, int) and remaining != first_remaining - 1:
        problems.append(f"RateLimit r={remaining} after r={first_remaining}: the same key's quota should drop by 1")
    check("curl/basic GET /v1/items 200 (same quota as Bearer)", problems)

    check("curl/bearer POST /v1/items 201",
          expect(curl(s1.url("/v1/items"), "POST", [bearer(k["LIVE_KEY"]), "Content-Type: application/json"],
                      b'{"name":"x"}'), 201, rate=(100, 60), body={"created": True, "owner": "acct_demo"}))
    check("curl/basic POST /v1/items 201",
          expect(curl(s1.url("/v1/items"), "POST", [basic(k["LIVE_KEY"])], b"{}"), 201, rate=(100, 60),
                 body={"created": True, "owner": "acct_demo"}))
    check("curl/bearer GET /v1/ping 200",
          expect(curl(s1.url("/v1/ping"), headers=[bearer(k["READONLY_KEY"])]), 200, rate=(100, 60),
                 body={"pong": True}))

    check("curl/missing key 401 MISSING_API_KEY",
          expect(curl(s1.url("/v1/items")), 401, "MISSING_API_KEY", www=CHALLENGE_NO_ERROR))
    check("curl/empty Authorization 401 MISSING_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=["Authorization;"]), 401, "MISSING_API_KEY",
                 www=CHALLENGE_NO_ERROR))
    check("curl/bearer malformed 400 MALFORMED_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=["Authorization: Bearer two words"]), 400,
                 "MALFORMED_API_KEY", www=CHALLENGE_INVALID_REQUEST))
    check("curl/basic malformed 400 MALFORMED_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=["Authorization: Basic %%%not-base64%%%"]), 400,
                 "MALFORMED_API_KEY", www=CHALLENGE_INVALID_REQUEST))
    check("curl/unsupported scheme 401 UNSUPPORTED_AUTH_SCHEME",
          expect(curl(s1.url("/v1/items"), headers=['Authorization: Digest username="x", nonce="y"']), 401,
                 "UNSUPPORTED_AUTH_SCHEME", www=CHALLENGE_NO_ERROR))
    check("curl/bearer key with a bad checksum 401 INVALID_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=[bearer(mutate(k["LIVE_KEY"]))]), 401, "INVALID_API_KEY",
                 www=CHALLENGE_INVALID_TOKEN))
    check("curl/bearer unknown well-formed key 401 INVALID_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=[bearer(unknown_key())]), 401,
                 "INVALID_API_KEY", www=CHALLENGE_INVALID_TOKEN))
    check("curl/basic invalid key 401 INVALID_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=[basic(mutate(k["LIVE_KEY"]))]), 401, "INVALID_API_KEY",
                 www=CHALLENGE_ANY_REALM))
    check("curl/bearer test key on live server 401 WRONG_ENVIRONMENT",
          expect(curl(s1.url("/v1/items"), headers=[bearer(k["TEST_KEY"])]), 401, "WRONG_ENVIRONMENT",
                 www=CHALLENGE_INVALID_TOKEN))
    check("curl/basic test key on live server 401 WRONG_ENVIRONMENT",
          expect(curl(s1.url("/v1/items"), headers=[basic(k["TEST_KEY"])]), 401, "WRONG_ENVIRONMENT",
                 www=CHALLENGE_ANY_REALM))
    check("curl/bearer read-only key POST 403 INSUFFICIENT_SCOPE",
          expect(curl(s1.url("/v1/items"), "POST", [bearer(k["READONLY_KEY"])], b"{}"), 403,
                 "INSUFFICIENT_SCOPE", www=CHALLENGE_INSUFFICIENT_SCOPE))
    check("curl/basic admin key GET /v1/items 403 INSUFFICIENT_SCOPE",
          expect(curl(s1.url("/v1/items"), headers=[basic(k["ADMIN_KEY"])]), 403, "INSUFFICIENT_SCOPE",
                 www=CHALLENGE_ANY_REALM))
    check("curl/unknown path 404 NOT_FOUND", expect(curl(s1.url("/v2/nothing")), 404, "NOT_FOUND"))

    # Revocation through the admin endpoint.
    revoke = s1.url(f"/v1/keys/{k['READONLY_KEY_ID']}/revoke")
    check("curl/revoke without keys:admin 403 INSUFFICIENT_SCOPE",
          expect(curl(revoke, "POST", [bearer(k["LIVE_KEY"])]), 403, "INSUFFICIENT_SCOPE",
                 www=CHALLENGE_INSUFFICIENT_SCOPE))
    check("curl/revoke without a key 401 MISSING_API_KEY",
          expect(curl(revoke, "POST"), 401, "MISSING_API_KEY", www=CHALLENGE_NO_ERROR))
    check("curl/revoke unknown id 404 KEY_NOT_FOUND",
          expect(curl(s1.url("/v1/keys/key_does_not_exist/revoke"), "POST", [bearer(k["ADMIN_KEY"])]), 404,
                 "KEY_NOT_FOUND"))
    check("curl/revoke read-only key 200",
          expect(curl(revoke, "POST", [bearer(k["ADMIN_KEY"])]), 200, rate=(100, 60),
                 body={"revoked": k["READONLY_KEY_ID"]}))
    check("curl/bearer revoked key 401 REVOKED_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=[bearer(k["READONLY_KEY"])]), 401, "REVOKED_API_KEY",
                 www=CHALLENGE_INVALID_TOKEN))
    check("curl/basic revoked key 401 REVOKED_API_KEY",
          expect(curl(s1.url("/v1/items"), headers=[basic(k["READONLY_KEY"])]), 401, "REVOKED_API_KEY",
                 www=CHALLENGE_ANY_REALM))


def section_test_environment():
    """A test-environment server: the test key works (livemode false), a live key is refused; no secrets set."""
    s = start_server("stest", ["--environment", "test"], env=base_env(WEBHOOK_SECRET=None, JWT_SECRET=None))
    r = curl(s.url("/v1/items"), headers=[bearer(s.keys["TEST_KEY"])])
    problems = expect(r, 200, rate=(10, 1))
    if r.json is None or r.json.get("livemode") is not False:
        problems.append(f"body {r.body[:160]!r}, want livemode false")
    check("curl/test server: test key 200 livemode false (default quota 10/1)", problems)
    check("curl/test server: live key 401 WRONG_ENVIRONMENT",
          expect(curl(s.url("/v1/items"), headers=[bearer(s.keys["LIVE_KEY"])]), 401, "WRONG_ENVIRONMENT",
                 www=CHALLENGE_INVALID_TOKEN))
    check("curl/webhook without WEBHOOK_SECRET 503 WEBHOOK_NOT_CONFIGURED",
          expect(curl(s.url("/webhooks/standard"), "POST", [], b"{}"), 503, "WEBHOOK_NOT_CONFIGURED"))
    check("curl/jwt without JWT_SECRET 503 JWT_NOT_CONFIGURED",
          expect(curl(s.url("/v1/jwt/whoami"), headers=["Authorization: Bearer x.y.z"]), 503, "JWT_NOT_CONFIGURED"))
    code = stop(s.process)
    check("server/SIGTERM exits 0", None if code == 0 else f"exit {code}")


def section_rate_limit_curl():
    """The 429 path by curl: quota 2/60 (burst 2): two 200s with r=1 then r=0, then 429 with Retry-After."""
    s = start_server("srate", ["--quota", "2/60"])
    key = s.keys["LIVE_KEY"]
    seen = []
    for i, auth in enumerate([bearer(key), basic(key)]):
        r = curl(s.url("/v1/ping"), headers=[auth])
        problems = expect(r, 200, rate=(2, 60), body={"pong": True})
        remaining = sf_params(r.header("ratelimit"))[1].get("r")
        if remaining != 1 - i:
            problems.append(f"RateLimit r={remaining}, want {1 - i}")
        seen.append(problems)
    check("curl/quota 2/60: two 200s, RateLimit r=1 then r=0", [p for ps in seen for p in ps])
    for name, auth in [("bearer", bearer(key)), ("basic", basic(key))]:
        r = curl(s.url("/v1/ping"), headers=[auth])
        problems = expect(r, 429, "RATE_LIMIT_EXCEEDED", rate=(2, 60), retry_after=True, no_www=True)
        wait = r.header("retry-after")
        limit = sf_params(r.header("ratelimit"))[1]
        # Emission interval 30 s: the third request waits ~30 s, announced rounded up.
        if wait is not None and wait.isdigit() and not 1 <= int(wait) <= 30:
            problems.append(f"Retry-After {wait}, want 1..30")
        if limit.get("r") != 0 or (wait is not None and wait.isdigit() and limit.get("t") != int(wait)):
            problems.append(f"RateLimit {r.header('ratelimit')!r}, want r=0 and t=Retry-After ({wait})")
        check(f"curl/{name} third request 429 RATE_LIMIT_EXCEEDED with Retry-After {wait}", problems)
    other = curl(s.url("/v1/ping"), headers=[bearer(s.keys["BULK_KEY"])])
    check("curl/another key is not limited 200", expect(other, 200, rate=(1000000000, 1)))


def webhook_signature(secret, msg_id, timestamp, body):
    """`v1,<base64 HMAC-SHA256(key, id.timestamp.body)>` (Standard Webhooks), computed with Python's hmac."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def section_webhook(s1):
    """The Standard Webhooks receiver: good, bad signature, missing header, old/new timestamp, replay."""
    url = s1.url("/webhooks/standard")
    body = json.dumps({"type": "invoice.paid", "data": {"id": "in_1"}}).encode()

    def send(msg_id, timestamp, payload, signature, drop=None):
        """POSTs one webhook; `drop` leaves out that header."""
        fields = {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}
        headers = ["Content-Type: application/json"] + [f"{n}: {v}" for n, v in fields.items() if n != drop]
        return curl(url, "POST", headers, payload)

    now = int(time.time())
    good_id = "msg_" + secrets.token_hex(8)
    good_signature = webhook_signature(WEBHOOK_SECRET, good_id, now, body)
    check("webhook/good signature 200",
          expect(send(good_id, now, body, good_signature), 200, body={"received": True, "id": good_id}))
    check("webhook/replayed message 409 WEBHOOK_REPLAYED",
          expect(send(good_id, now, body, good_signature), 409, "WEBHOOK_REPLAYED"))
    other_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    msg_id = "msg_" + secrets.token_hex(8)
    check("webhook/signed with another secret 401 WEBHOOK_SIGNATURE_MISMATCH",
          expect(send(msg_id, now, body, webhook_signature(other_secret, msg_id, now, body)), 401,
                 "WEBHOOK_SIGNATURE_MISMATCH"))
    msg_id = "msg_" + secrets.token_hex(8)
    check("webhook/tampered body 401 WEBHOOK_SIGNATURE_MISMATCH",
          expect(send(msg_id, now, body + b" ", webhook_signature(WEBHOOK_SECRET, msg_id, now, body)), 401,
                 "WEBHOOK_SIGNATURE_MISMATCH"))
    msg_id = "msg_" + secrets.token_hex(8)
    check("webhook/missing webhook-signature 400 WEBHOOK_MISSING_HEADER",
          expect(send(msg_id, now, body, "", drop="webhook-signature"), 400, "WEBHOOK_MISSING_HEADER"))
    check("webhook/missing webhook-id 400 WEBHOOK_MISSING_HEADER",
          expect(send(msg_id, now, body, webhook_signature(WEBHOOK_SECRET, msg_id, now, body), drop="webhook-id"),
                 400, "WEBHOOK_MISSING_HEADER"))
    old = now - 600
    check("webhook/timestamp 10 min old 401 WEBHOOK_TIMESTAMP_TOO_OLD",
          expect(send(msg_id, old, body, webhook_signature(WEBHOOK_SECRET, msg_id, old, body)), 401,
                 "WEBHOOK_TIMESTAMP_TOO_OLD"))
    new = now + 600
    check("webhook/timestamp 10 min ahead 401 WEBHOOK_TIMESTAMP_TOO_NEW",
          expect(send(msg_id, new, body, webhook_signature(WEBHOOK_SECRET, msg_id, new, body)), 401,
                 "WEBHOOK_TIMESTAMP_TOO_NEW"))
    check("webhook/no v1 entry 401 WEBHOOK_NO_SIGNATURE",
          expect(send(msg_id, now, body, "v1a,AAAA"), 401, "WEBHOOK_NO_SIGNATURE"))


def b64url(data):
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def section_jwt(s1):
    """The JWT endpoint with tokens made by PyJWT: good, wrong secret, expired, wrong aud/iss, alg none, missing."""
    url = s1.url("/v1/jwt/whoami")
    now = int(time.time())
    claims = {"sub": "user_42", "iss": "acme-auth", "aud": "acme-api", "iat": now, "exp": now + 300}

    def token(secret=JWT_SECRET, **changes):
        """A HS256 token of `claims` with `changes` (a value None removes the claim)."""
        payload = dict(claims)
        for name, value in changes.items():
            if value is None:
                payload.pop(name)
            else:
                payload[name] = value
        return jwt.encode(payload, secret, algorithm="HS256")

    def ask(value):
        """GET the endpoint with `Authorization: Bearer value`."""
        return curl(url, headers=[f"Authorization: Bearer {value}"])

    check("jwt/good token 200", expect(ask(token()), 200, body={"sub": "user_42"}))
    cases = [
        ("wrong secret", token(secrets.token_urlsafe(48))),
        ("expired an hour ago", token(exp=now - 3600)),
        ("wrong aud", token(aud="other-api")),
        ("wrong iss", token(iss="someone-else")),
        ("no exp", token(exp=None)),
        ("alg none", b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(json.dumps(claims).encode()) + "."),
        ("not a JWT", "abc.def"),
    ]
    for name, value in cases:
        r = ask(value)
        problems = expect(r, 401, "INVALID_TOKEN", www=CHALLENGE_INVALID_TOKEN)
        if value.encode() in r.body or value.encode() in json.dumps(dict(r.headers)).encode():
            problems.append("the answer repeats the token")
        check(f"jwt/{name} 401 INVALID_TOKEN", problems)
    check("jwt/missing Authorization 401 MISSING_TOKEN",
          expect(curl(url), 401, "MISSING_TOKEN", www=CHALLENGE_NO_ERROR))


def run_client(base, key, args, timeout=40):
    """Runs api_client with ACME_API_KEY=key (None: unset); returns (exit, stdout lines, stderr, seconds)."""
    env = sanitizer_env()
    env.pop("ACME_API_KEY", None)
    if key is not None:
        env["ACME_API_KEY"] = key
    began = time.monotonic()
    done = run_once("api_client", [WORK.client] + ([base] if base is not None else []) + args, env, timeout)
    return (done.returncode, done.stdout.decode(errors="replace").splitlines(),
            done.stderr.decode(errors="replace"), time.monotonic() - began)


def section_client():
    """The example client: one 429, the wait of its Retry-After, then success; bad keys exit 2 or give up."""
    s = start_server("sclient", ["--quota", "1/2"])
    key = s.keys["LIVE_KEY"]
    first = curl(s.url("/v1/items"), headers=[bearer(key)])  # spends the quota: the client's first try is 429
    check("client/quota 1/2 spent by curl 200", expect(first, 200, rate=(1, 2)))
    code, out, err, took = run_client(s.base, key, ["--path", "/v1/items"])
    problems = []
    if code != 0:
        problems.append(f"exit {code}, stderr {err.strip()[:200]!r}")
    statuses = [int(m.group(1)) for line in out for m in [re.fullmatch(r"attempt \d+: (\d{3})", line)] if m]
    waits = [int(m.group(1)) for line in out for m in [re.fullmatch(r"waiting (\d+) ms", line)] if m]
    if statuses != [429, 200]:
        problems.append(f"attempt statuses {statuses}, want [429, 200]")
    # Retry-After is 2 (1 request per 2 s, rounded up), so a client honouring it waits at least 2000 ms.
    if len(waits) != 1 or waits[0] < 2000 or waits[0] > 10000:
        problems.append(f"waits {waits} ms, want one wait of at least 2000 ms (Retry-After: 2)")
    if "succeeded after 2 attempts" not in out:
        problems.append("no 'succeeded after 2 attempts' line")
    body_lines = [line for line in out if line.startswith("body: ")]
    if not body_lines or '"owner":"acct_demo"' not in body_lines[-1].replace(" ", "") or out[-1] != body_lines[-1]:
        problems.append("last line is not 'body: <json>' with owner acct_demo")
    if key in "\n".join(out) + err:
        problems.append("the client printed the key")
    check(f"client/429 then 200 after the Retry-After wait (waited {waits} ms, ran {took:.2f} s)", problems)
    say("NOTE client output: " + " | ".join(out))

    code, out, err, _ = run_client(s.base, "not-a-key", [])
    check("client/malformed ACME_API_KEY exit 2",
          None if code == 2 and len(err.strip().splitlines()) == 1 and not out
          else f"exit {code}, stdout {out!r}, stderr {err.strip()!r}")
    code, out, err, _ = run_client(s.base, None, [])
    check("client/no ACME_API_KEY exit 2",
          None if code == 2 and len(err.strip().splitlines()) == 1 else f"exit {code}, stderr {err.strip()!r}")
    code, out, err, _ = run_client(s.base, unknown_key(), [])
    problems = [] if code == 1 else [f"exit {code}"]
    if out[:1] != ["attempt 1: 401"] or not any(line.startswith("gave up: ") and line.endswith("after 1 attempts")
                                                 for line in out):
        problems.append(f"output {out!r}, want 'attempt 1: 401' and 'gave up: ... after 1 attempts'")
    check("client/unknown key: 401 is not retried, exit 1", problems)

    curl(s.url("/v1/items"), headers=[bearer(key)])  # spends the quota again: Retry-After 2
    code, out, err, took = run_client(s.base, key, ["--max-wait-seconds", "1"])
    problems = [] if code == 1 else [f"exit {code}"]
    if out[:1] != ["attempt 1: 429"] or any(line.startswith("waiting") for line in out) or took > 1.5 \
            or not (out and out[-1].startswith("gave up: ") and out[-1].endswith("after 1 attempts")):
        problems.append(f"output {out!r} in {took:.2f} s, want 'attempt 1: 429', no wait, 'gave up: ...'")
    check("client/Retry-After 2 over --max-wait-seconds 1: gives up at once, exit 1", problems)
    code, out, err, took = run_client(f"http://127.0.0.1:{free_port()}", key, ["--attempts", "3"])
    attempts = [line for line in out if line.startswith("attempt ")]
    waits = [line for line in out if line.startswith("waiting ")]
    problems = [] if code == 1 else [f"exit {code}"]
    if len(attempts) != 3 or len(waits) != 2 or not (out and out[-1].endswith("after 3 attempts")):
        problems.append(f"output {out!r}, want 3 attempts, 2 waits, 'gave up: ... after 3 attempts'")
    check("client/nothing listening: 3 attempts with backoff, then gives up, exit 1", problems)

    code, out, err, _ = run_client(s.base, key, ["/v1/items"])
    check("client/an extra argument: exit 2, one line on stderr, no request",
          None if code == 2 and len(err.strip().splitlines()) == 1 and not out
          else f"exit {code}, stdout {out!r}, stderr {err.strip()[:200]!r}")
    code, out, err, _ = run_client(None, None, ["--help"])
    check("client/--help: exit 0, usage on stdout",
          None if code == 0 and out and "usage" in out[0].lower() else f"exit {code}, stdout {out[:3]!r}")
    # A key over plain HTTP to a host that is not loopback is refused before any connection (the name is in
    # the reserved .invalid domain, so nothing would be reached even if it were not refused).
    code, out, err, _ = run_client("http://api.example.invalid:9", key, ["--attempts", "1"])
    problems = [] if code == 2 and not any(line.startswith("attempt") for line in out) else \
        [f"exit {code}, stdout {out!r}, stderr {err.strip()[:200]!r}"]
    if key in err or key_secret(key) in err:
        problems.append("the refusal prints the key")
    check("client/http:// to a non-loopback host: refused, exit 2, no attempt", problems)


def run_wrk(url, authorization, seconds, threads=2, connections=4, timeout_s=2):
    """Runs wrk with count_statuses.lua; returns (statuses dict, summary dict, wrk output)."""
    env = dict(os.environ)
    env["E2E_AUTHORIZATION"] = authorization
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s",
            "-s", LUA, url]
    process = track(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL, start_new_session=True))
    output, _ = process.communicate(timeout=seconds + 15)
    reaped(process)
    return parse_wrk(output.decode(errors="replace"))


def parse_wrk(text):
    """The STATUSES and SUMMARY lines of count_statuses.lua as dicts of ints, and the whole output."""
    parsed = {}
    for tag in ("STATUSES", "SUMMARY"):
        match = re.search(rf"^{tag} (.*)$", text, re.M)
        parsed[tag] = {k: int(v) for k, v in (p.split("=") for p in match.group(1).split())} if match else {}
    return parsed["STATUSES"], parsed["SUMMARY"], text


def wrk_problems(statuses, summary, text):
    """Problems common to every wrk run: the script's lines missing, socket errors, statuses not 200/429."""
    if not statuses or not summary:
        return [f"no STATUSES/SUMMARY lines in wrk's output: {text[-300:]!r}"]
    problems = []
    errors = {k: summary[k] for k in ("connect", "read", "write", "timeout")}
    if any(errors.values()):
        problems.append(f"socket errors {errors}")
    if statuses["other"]:
        problems.append(f"{statuses['other']} responses neither 200 nor 429")
    if statuses["limited_without_retry_after"]:
        problems.append(f"{statuses['limited_without_retry_after']} 429s without Retry-After")
    if statuses["ok"] + statuses["limited"] != summary["requests"]:
        problems.append(f"200s + 429s = {statuses['ok'] + statuses['limited']} != wrk's {summary['requests']} requests")
    if summary["status"] != statuses["limited"] + statuses["other"]:
        problems.append(f"wrk's Non-2xx {summary['status']} != 429s {statuses['limited']}")
    return problems


def section_load():
    """Bounded load: exactly the quota of 200s under wrk, the rest 429, no socket errors; then the server works."""
    s = start_server("sload", ["--quota", "200/3600"])
    statuses, summary, text = run_wrk(s.url("/v1/ping"), f"Bearer {s.keys['LIVE_KEY']}", 2)
    problems = wrk_problems(statuses, summary, text)
    if statuses and statuses["ok"] != 200:
        problems.append(f"{statuses['ok']} 200s, want exactly 200")
    if statuses and statuses["limited"] < 100:
        problems.append(f"only {statuses['limited']} 429s: the load did not go past the quota")
    check(f"wrk/quota 200/3600 for 2 s: exactly 200 x 200, rest 429, no socket errors "
          f"({statuses.get('ok')} x 200, {statuses.get('limited')} x 429, {summary.get('requests')} requests)",
          problems)
    check("wrk/after load: /healthz 200", expect(curl(s.url("/healthz")), 200, body={"status": "ok"}))
    check("wrk/after load: another key 200",
          expect(curl(s.url("/v1/ping"), headers=[bearer(s.keys["READONLY_KEY"])]), 200, rate=(200, 3600)))
    r = curl(s.url("/v1/ping"), headers=[bearer(s.keys["LIVE_KEY"])])
    problems = expect(r, 429, "RATE_LIMIT_EXCEEDED", rate=(200, 3600), retry_after=True)
    wait = r.header("retry-after")
    # Emission interval 3600/200 = 18 s: the next request is allowed 18 s after the burst, less the time since.
    if wait and wait.isdigit() and not 1 <= int(wait) <= 18:
        problems.append(f"Retry-After {wait}, want 1..18")
    check(f"wrk/after load: loaded key 429 with Retry-After {wait}", problems)

    # The rate: 50/1 with burst 10 for 3 s. GCRA allows the burst at the first request, then one request per
    # emission interval (20 ms): over a span of T seconds of the server's requests, at most 10 + 50 x T + 1
    # (the +1 for the request that lands exactly on the span's end). That upper bound is a fixed property of
    # the limiter, and wrk's duration (summary.duration, its threads' start to stop) is never shorter than the
    # server's span, so it is checked strictly. The lower bound is not fixed: tokens that accrue while the
    # server or wrk is paused for longer than the burst's worth of intervals (10 x 20 ms = 200 ms) overflow the
    # bucket and are lost for good, and wrk's duration includes up to ~100 ms after it stopped sending. So the
    # lower bound allows 0.3 s of such losses: at least 10 + 50 x (T - 0.3).
    s2 = start_server("srate2", ["--quota", "50/1", "--burst", "10"])
    statuses, summary, text = run_wrk(s2.url("/v1/ping"), f"Bearer {s2.keys['LIVE_KEY']}", 3)
    problems = wrk_problems(statuses, summary, text)
    elapsed = summary.get("duration_us", 0) / 1e6
    most = 10 + 50 * elapsed + 1
    least = 10 + 50 * (elapsed - 0.3)
    allowed = statuses.get("ok", 0)
    if allowed > most:
        problems.append(f"{allowed} allowed, more than 10 + 50 x {elapsed:.3f} + 1 = {most:.1f}")
    if allowed < least:
        problems.append(f"{allowed} allowed, fewer than 10 + 50 x ({elapsed:.3f} - 0.3) = {least:.1f}")
    check(f"wrk/quota 50/1 burst 10 for {elapsed:.3f} s: {allowed} allowed, within {least:.1f} .. {most:.1f}",
          problems)


def section_redis():
    """Redis mode: two servers share one quota exactly, and a revocation on one is seen by the other."""
    redis = shutil.which("redis-server")
    if redis is None:
        say("SKIP redis: redis-server not installed")
        return
    port = free_port()
    redis_log = open(WORK.path("redis.log"), "w")
    redis_process = track(subprocess.Popen(
        [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--protected-mode", "yes"], stdout=redis_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        check("redis/redis-server starts", f"nothing listens on {port}; exit {redis_process.poll()}")
        return
    address = f"127.0.0.1:{port}"

    unreachable = run_once("redis-unreachable", [WORK.server, "--port", "0", "--redis", f"127.0.0.1:{free_port()}"])
    if unreachable.returncode == 2 and b"not available" in unreachable.stderr:
        say(f"SKIP redis: this build has no Redis mode ({unreachable.stderr.decode(errors='replace').strip()})")
        return
    check("redis/unreachable Redis exits 1",
          None if unreachable.returncode == 1 else f"exit {unreachable.returncode}")
    no_pepper = run_once("redis-no-pepper", [WORK.server, "--port", "0", "--redis", address],
                         env=base_env(KEYWARD_PEPPER=None))
    check("redis/no KEYWARD_PEPPER in Redis mode exits 1",
          None if no_pepper.returncode == 1 else f"exit {no_pepper.returncode}")

    r1 = start_server("redis1", ["--redis", address, "--quota", "200/3600", "--threads", str(REDIS_THREADS)])
    r2 = start_server("redis2", ["--redis", address, "--quota", "200/3600", "--threads", str(REDIS_THREADS)],
                      demo_keys=False)
    k = r1.keys
    check("redis/server 2 accepts a key minted by server 1",
          expect(curl(r2.url("/v1/ping"), headers=[bearer(k["ADMIN_KEY"])]), 200, rate=(200, 3600)))
    check("redis/BULK_KEY (quota 1000000000/1) is served in Redis mode",
          expect(curl(r2.url("/v1/ping"), headers=[bearer(k["BULK_KEY"])]), 200, rate=(1000000000, 1)))

    # Alternated: 300 requests, R1 and R2 in turn, for a key with quota 200/3600 (no refill in the run: the
    # next request is allowed 18 s after the burst).
    urls = [r.url("/v1/ping") for _ in range(150) for r in (r1, r2)]
    argv = ["curl", "-sS", "--max-time", "20", "-H", bearer(k["LIVE_KEY"]), "-w", "%{http_code}\n"]
    for url in urls:
        argv += [url, "-o", "/dev/null"]
    done = subprocess.run(argv, capture_output=True, timeout=30)
    codes = done.stdout.decode().split()
    on1, on2 = codes[0::2], codes[1::2]
    problems = [] if done.returncode == 0 else [f"curl exit {done.returncode}"]
    if codes.count("200") != 200 or codes.count("429") != 100:
        problems.append(f"{codes.count('200')} x 200 and {codes.count('429')} x 429, want 200 and 100")
    if codes[:200] != ["200"] * 200:
        problems.append("the 200s are not the first 200 requests")
    check(f"redis/alternated: 200s summed over both servers = quota 200 "
          f"(server 1: {on1.count('200')}, server 2: {on2.count('200')})", problems)

    # Concurrent: both servers at once for another key. Each worker thread makes its Redis limiter on its first
    # request, so every thread of both servers first serves one BULK_KEY request (REDIS_THREADS connections
    # held open at once per server: one per thread). Then REDIS_CONNECTIONS keep-alive connections per server,
    # released together by a barrier, send READONLY_KEY requests until 600 were sent: the 200s summed over both
    # servers must be exactly the quota, and each server must have served some (a server that wrongly refuses
    # everything would otherwise pass while the other takes the whole quota).
    warm = [concurrent_requests(r.port, "/v1/ping", bearer(k["BULK_KEY"]), REDIS_THREADS, 1) for r in (r1, r2)]
    problems = [f"warm-up of {r.name}: statuses {w}" for r, w in zip((r1, r2), warm) if set(w) != {200}]
    results = concurrent_requests_on([r1.port, r2.port], "/v1/ping", bearer(k["READONLY_KEY"]),
                                     REDIS_CONNECTIONS, 100)
    oks = [codes.count(200) for codes in results]
    limited = [codes.count(429) for codes in results]
    others = sorted({c for codes in results for c in codes} - {200, 429})
    if others:
        problems.append(f"statuses other than 200/429: {others}")
    if sum(oks) != 200:
        problems.append(f"200s {oks} sum to {sum(oks)}, want 200")
    if 0 in oks:
        problems.append("a server served no 200")
    check(f"redis/concurrent on both (after a warm-up of every thread): 200s summed = quota 200, both serve "
          f"(server 1: {oks[0]} x 200, {limited[0]} x 429; server 2: {oks[1]} x 200, {limited[1]} x 429)",
          problems)

    # Revocation on server 1 of LIVE_KEY (its quota spent above: 429 until then), refused by server 2.
    live = k["LIVE_KEY"]
    check("redis/before revocation: server 2 answers the spent key 429",
          expect(curl(r2.url("/v1/ping"), headers=[bearer(live)]), 429, "RATE_LIMIT_EXCEEDED", rate=(200, 3600),
                 retry_after=True))
    check("redis/revoke on server 1 200",
          expect(curl(r1.url(f"/v1/keys/{k['LIVE_KEY_ID']}/revoke"), "POST", [bearer(k["ADMIN_KEY"])]), 200,
                 body={"revoked": k["LIVE_KEY_ID"]}, rate=(200, 3600)))
    revoked_at = time.monotonic()
    last, polls = None, 0
    while time.monotonic() - revoked_at < 2.0:
        polls += 1
        last = curl(r2.url("/v1/ping"), headers=[bearer(live)])
        if last.status == 401:
            break
        time.sleep(0.02)
    took = time.monotonic() - revoked_at
    check(f"redis/server 2 refuses the revoked key REVOKED_API_KEY (seen after {took * 1000:.0f} ms, "
          f"on request {polls} after the revoke; limit 2000 ms)",
          expect(last, 401, "REVOKED_API_KEY", www=CHALLENGE_INVALID_TOKEN))
    check("redis/server 1 refuses it too",
          expect(curl(r1.url("/v1/ping"), headers=[bearer(live)]), 401, "REVOKED_API_KEY"))
    for r in (r1, r2):
        code = stop(r.process)
        check(f"redis/{r.name} SIGTERM exits 0", None if code == 0 else f"exit {code}")


def section_demo():
    """examples/demo.sh against the build: its output shows a 200, a 401 and a 429."""
    done = subprocess.run(["bash", os.path.join(ROOT, "examples", "demo.sh"), WORK.build], capture_output=True,
                          timeout=60, stdin=subprocess.DEVNULL, env=sanitizer_env())
    out = done.stdout.decode(errors="replace")
    with open(WORK.path("demo.out"), "w") as f:
        f.write(out + done.stderr.decode(errors="replace"))
    problems = [] if done.returncode == 0 else [f"exit {done.returncode}: {done.stderr.decode()[-300:]!r}"]
    for status in ("200", "401", "429"):
        if not re.search(rf"^\s*HTTP/1\.1 {status} ", out, re.M):
            problems.append(f"no 'HTTP/1.1 {status}' line")
    if not re.search(r"^\s*Retry-After: \d+", out, re.M | re.I):
        problems.append("no Retry-After line")
    whole = re.findall(r"acme_sk_(?:live|test)_[0-9A-Za-z]{20,}", out)
    if whole:
        problems.append(f"a key is printed whole or nearly: {whole[0][:24]}...")
    check("demo/examples/demo.sh shows 200, 401 and 429, and no key whole", problems)


def key_secret(key):
    """The secret part of a demo key: after the prefix (acme_sk_live_ / acme_sk_test_) and the 12-character id,
    the 32 characters before the 6-character checksum."""
    prefix = key[:len("acme_sk_live_")]
    return key[len(prefix) + 12:len(prefix) + 44]


def leaked_secrets(text, keys):
    """The names of the demo keys whose secret part (or whole key) appears in `text`."""
    return [name for name, value in keys.items() if name.endswith("_KEY") and value
            and (value in text or key_secret(value) in text)]


def hide_secrets(text, keys):
    """`text` with every demo key's secret part replaced by <secret> (for failure messages)."""
    for name, value in keys.items():
        if name.endswith("_KEY") and value:
            text = text.replace(key_secret(value), "<secret>")
    return text


def section_log(s1):
    """--log on s1 (which served every curl check above): no key's secret in the log."""
    with open(s1.log) as f:
        log = f.read()
    leaked = leaked_secrets(log, s1.keys)
    check("log/s1's log (every curl check) holds no key's secret part",
          f"secrets of {leaked} appear in the log" if leaked else None)

    # A known sequence on a server of its own, then its log compared line by line (sorted: the logger runs
    # after the answer is sent, so two lines may come in either order).
    s = start_server("slog", ["--log"])
    k = s.keys
    forged = "GET /forged 200 key_forged"
    steps = [
        (curl(s.url("/healthz")), 200, "GET /healthz 200 -"),
        (curl(s.url("/v1/items"), headers=[bearer(k["LIVE_KEY"])]), 200, f"GET /v1/items 200 {k['LIVE_KEY_ID']}"),
        (curl(s.url("/v1/ping"), headers=[basic(k["READONLY_KEY"])]), 200,
         f"GET /v1/ping 200 {k['READONLY_KEY_ID']}"),
        (curl(s.url("/v1/items")), 401, "GET /v1/items 401 -"),
        (curl(s.url("/v1/items"), headers=[bearer(k["TEST_KEY"])]), 401, "GET /v1/items 401 -"),
        (curl(s.url("/v1/items"), headers=[bearer(mutate(k["LIVE_KEY"]))]), 401, "GET /v1/items 401 -"),
        (curl(s.url("/v1/items"), "POST", [bearer(k["READONLY_KEY"])], b"{}"), 403, "POST /v1/items 403 -"),
    ]
    problems = [f"{want}: {r.describe()}" for r, status, want in steps if r.status != status]
    # A path with an encoded line feed followed by a forged line, and paths holding a key (a client mistake):
    # their lines must start with the method and the path's start, on one line, without the key's secret.
    # (The revoke is authenticated by ADMIN_KEY, so its line ends with that key's id: 404 is KEY_NOT_FOUND.)
    odd = [
        (curl(s.url("/v1/items%0a" + forged.replace(" ", "%20"))), "GET /v1/items", "404 -"),
        (curl(s.url(f"/v1/keys/{k['LIVE_KEY']}/revoke"), "POST", [bearer(k["ADMIN_KEY"])]), "POST /v1/keys/",
         f"404 {k['ADMIN_KEY_ID']}"),
        (curl(s.url(f"/{k['BULK_KEY']}")), "GET /", "404 -"),
    ]
    problems += [f"{start}...: {r.describe()}" for r, start, end in odd if r.status != int(end.split()[0])]
    code = stop(s.process)
    with open(s.log) as f:
        log = f.read()
    lines = log.splitlines()
    wanted = sorted(want for _, _, want in steps)
    plain = sorted(line for line in lines if line in wanted)
    if plain != wanted:
        problems.append(f"log lines {plain}, want {wanted}")
    rest = [line for line in lines if line not in wanted]
    shown = [hide_secrets(line, k) for line in rest]  # for the messages: a failure must not print a key
    if len(rest) != len(odd):
        problems.append(f"{len(rest)} other lines {shown!r}, want {len(odd)} (one per odd path)")
    for _, start, end in odd:
        if not any(line.startswith(start) and line.endswith(f" {end}") for line in rest):
            problems.append(f"no line '{start}... {end}' in {shown!r}")
    if any(line.startswith("GET /forged") for line in lines):
        problems.append(f"a forged line appears: {[line for line in shown if 'forged' in line]!r}")
    leaked = leaked_secrets(log, k)
    if leaked:
        problems.append(f"secrets of {leaked} appear in the log")
    if code != 0:
        problems.append(f"exit {code}")
    check("log/exact lines for a known sequence (success: key id; denial: -), an encoded line feed forges no "
          "line, a key in the path is not logged", problems)


def section_limits():
    """The server's limits: a body over 64 KiB is refused 413 (and one just under it accepted); a connection
    that sends nothing, or stays idle after a request, is closed within a few seconds (read timeout 2 s,
    keep-alive timeout 1 s); a replay is refused 409 even after many future-dated messages."""
    s = start_server("slimits", [])
    k = s.keys
    under = b'{"name":"' + b"x" * (BODY_LIMIT - 64) + b'"}'
    check(f"limits/POST /v1/items with a {len(under)}-byte body 201",
          expect(curl(s.url("/v1/items"), "POST", [bearer(k["LIVE_KEY"]), "Content-Type: application/json"],
                      under), 201, body={"created": True, "owner": "acct_demo"}, rate=(10, 1)))
    over = b'{"name":"' + b"x" * (BODY_LIMIT + 1024) + b'"}'
    for path, headers in [("/v1/items", [bearer(k["LIVE_KEY"])]), ("/webhooks/standard", [])]:
        r = curl(s.url(path), "POST", headers + ["Content-Type: application/json"], over)
        check(f"limits/POST {path} with a {len(over)}-byte body 413 PAYLOAD_TOO_LARGE",
              expect(r, 413, "PAYLOAD_TOO_LARGE"))
    check("limits/after the large bodies: /healthz 200", expect(curl(s.url("/healthz")), 200, body={"status": "ok"}))

    def closed_within(seconds, request):
        """Connects, sends `request`, reads until the server closes: (closed in time, seconds it took)."""
        began = time.monotonic()
        with socket.create_connection(("127.0.0.1", s.port), 2) as sock:
            sock.sendall(request)
            try:
                while time.monotonic() - began < seconds:
                    sock.settimeout(max(0.01, seconds - (time.monotonic() - began)))
                    if not sock.recv(65536):
                        return True, time.monotonic() - began
            except ConnectionResetError:
                return True, time.monotonic() - began
            except socket.timeout:
                pass
            return False, time.monotonic() - began

    ok, took = closed_within(6, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    check(f"limits/unfinished request headers: connection closed after {took:.2f} s (keep-alive wait 1 s + read "
          f"timeout 2 s, limit 5 s)", None if ok and took < 5 else "not closed within 5 s")
    ok, took = closed_within(5, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # then idle, kept alive
    check(f"limits/idle keep-alive connection closed after {took:.2f} s (keep-alive timeout 1 s, limit 3 s)",
          None if ok and took < 3 else "not closed within 3 s")

    # The replay cache forgets ids older than the tolerance by the server's clock: messages dated up to
    # 5 minutes ahead must not make it forget a message dated 280 s ago (still inside the tolerance).
    body = b'{"type":"ping"}'
    now = int(time.time())
    first_id = "msg_" + secrets.token_hex(8)
    first = (first_id, now - 280, webhook_signature(WEBHOOK_SECRET, first_id, now - 280, body))
    connection = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)

    def post(msg_id, timestamp, signature):
        """POSTs one webhook on the keep-alive connection; returns the status."""
        connection.request("POST", "/webhooks/standard", body,
                           {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
                            "webhook-signature": signature, "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status

    statuses = [post(*first)]
    future = now + 280
    for _ in range(1100):  # past the cache's first pruning point (1024 ids)
        msg_id = "msg_" + secrets.token_hex(8)
        statuses.append(post(msg_id, future, webhook_signature(WEBHOOK_SECRET, msg_id, future, body)))
    replay = post(*first)
    connection.close()
    problems = [] if set(statuses) == {200} else [f"statuses {sorted(set(statuses))} before the replay, want 200"]
    if replay != 409:
        problems.append(f"replay answered {replay}, want 409")
    check("limits/replay of a message dated 280 s ago after 1100 messages dated 280 s ahead: 409", problems)
    code = stop(s.process)
    check("limits/SIGTERM exits 0", None if code == 0 else f"exit {code}")


SANITIZER_REPORT = re.compile(r"(ERROR: \w+Sanitizer.*|runtime error:.*|SUMMARY: \w+Sanitizer.*)")


def check_servers_ended_cleanly():
    """Every server that started exited 0 on SIGTERM, and no server or client run logged a sanitizer report
    (ASan, LSan, UBSan: run against a sanitized build, a leak or undefined behaviour fails here)."""
    problems = []
    for name, process, log in started_servers:
        with open(log, errors="replace") as f:
            report = SANITIZER_REPORT.search(f.read())
        if report:
            problems.append(f"{name}: {report.group(1)[:160]}")
        if process.returncode not in (0, None) and not report:
            problems.append(f"{name}: exit {process.returncode}")
    for name, text in sanitizer_logs:
        report = SANITIZER_REPORT.search(text)
        if report:
            problems.append(f"{name} (run to completion): {report.group(1)[:160]}")
    check(f"server/all {len(started_servers)} servers exited 0, no sanitizer report in their logs nor in the "
          f"{len(sanitizer_logs)} runs to completion", problems)


def main():
    global WORK, PEPPER, WEBHOOK_SECRET, JWT_SECRET
    if len(sys.argv) != 3:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    # SIGTERM (from run.sh or timeout) unwinds through the finally below, which stops every process started.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    WORK = Work(sys.argv[1], sys.argv[2])
    os.makedirs(WORK.dir, exist_ok=True)
    open(WORK.pids, "w").close()
    PEPPER = secrets.token_hex(32)
    WEBHOOK_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    JWT_SECRET = secrets.token_urlsafe(48)
    for program in (WORK.server, WORK.client):
        if not os.access(program, os.X_OK):
            check("build", f"{program} is missing: build it first")
            return 1
    began = time.monotonic()

    def run(name, section, *args):
        """Runs one section; an exception is one FAIL, and the next section still runs."""
        section_began = time.monotonic()
        try:
            section(*args)
        except Exception as error:  # a section that breaks must not stop the others
            check(f"{name} (section)", f"{type(error).__name__}: {error} {traceback.format_exc(limit=2)!r}")
        say(f"TIME {name} {time.monotonic() - section_began:.2f} s")

    try:
        run("start", section_start_and_arguments)
        s1 = None
        try:
            s1 = start_server("s1", ["--quota", "100/60", "--log"])
        except Exception as error:
            check("curl/start server", str(error))
        if s1 is not None:
            run("curl", section_curl, s1)
            run("webhook", section_webhook, s1)
            run("jwt", section_jwt, s1)
            run("log", section_log, s1)
        run("limits", section_limits)
        run("test-environment", section_test_environment)
        run("rate-curl", section_rate_limit_curl)
        run("client", section_client)
        run("wrk", section_load)
        run("redis", section_redis)
        run("demo", section_demo)
    finally:
        stop_all()
    check_servers_ended_cleanly()
    say(f"TIME total {time.monotonic() - began:.2f} s; {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
