#!/usr/bin/env python3
"""Cross-check keyward's denial bodies with Python's json module, an independent JSON parser.

Every body must be UTF-8 that Python decodes strictly, and JSON that json.loads accepts (which rejects raw
control characters in strings), with the shapes of two API providers' documentation (error_object and
errors_array, whose type is server_error for a 5xx), the status of RFC 6750 section 3.1 / RFC 6585 section 4 /
RFC 9110 sections 15.5.3 (402) and 15.6.4, and the caller's text read back as Python decodes it with
errors="replace" (one U+FFFD per maximal subpart, like keyward). Retry-After (429, 503, and 402 when a refill
is scheduled) must be the delay rounded up to whole seconds, at least 1.
Usage: http_denial_crosscheck.py PATH_TO_denial_tool
"""
import json
import random
import subprocess
import sys

TOOL = sys.argv[1]

# reason: (status, error_object code, errors_array code), from RFC 6750 section 3.1, RFC 6585 section 4 and
# RFC 9110 sections 15.5.3 and 15.6.4.
REASONS = {
    "missing_credentials": (401, "MISSING_API_KEY", "not_authenticated"),
    "malformed_credentials": (400, "MALFORMED_API_KEY", "invalid_request"),
    "wrong_scheme": (401, "UNSUPPORTED_AUTH_SCHEME", "not_authenticated"),
    "invalid_key": (401, "INVALID_API_KEY", "invalid_token"),
    "expired": (401, "EXPIRED_API_KEY", "invalid_token"),
    "revoked": (401, "REVOKED_API_KEY", "invalid_token"),
    "insufficient_scope": (403, "INSUFFICIENT_SCOPE", "insufficient_scope"),
    "wrong_environment": (401, "WRONG_ENVIRONMENT", "invalid_token"),
    "rate_limited": (429, "RATE_LIMIT_EXCEEDED", "throttled"),
    "disabled": (401, "DISABLED_API_KEY", "invalid_token"),
    "unavailable": (503, "SERVICE_UNAVAILABLE", "service_unavailable"),
    "credits_exhausted": (402, "CREDITS_EXHAUSTED", "credits_exhausted"),
}
# The reasons that carry a delay (in nanoseconds after a ':') and answer with Retry-After.
DELAYED = ("rate_limited", "unavailable")
# The reasons that may carry one (credits that refill) or not (credits that never do: no Retry-After).
MAYBE_DELAYED = ("credits_exhausted",)
STYLES = ("error_object", "errors_array")
failures = 0


def fail(message):
    global failures
    failures += 1
    if failures <= 20:
        print("FAIL:", message)


def run(requests):
    """requests: (reason spec, style, message bytes or None, [(name bytes, value bytes)]) -> parsed lines."""
    lines = []
    for spec, style, message, details in requests:
        fields = [spec, style, "h" + message.hex() if message is not None else "-"]
        for name, value in details:
            fields += ["h" + name.hex(), "h" + value.hex()]
        lines.append(" ".join(fields))
    out = subprocess.run([TOOL], input=("\n".join(lines) + "\n").encode(), capture_output=True)
    if out.returncode != 0:
        print(out.stderr.decode(errors="replace"))
        sys.exit(1)
    results = out.stdout.split(b"\n")[: len(requests)]
    assert len(results) == len(requests), "tool output is short"
    return results


def check(request, line):
    spec, style, message, details = request
    reason = spec.split(":")[0]
    status_text, retry_text, body = line.split(b" ", 2)
    try:
        text = body.decode("utf-8")  # strict: the body must be valid UTF-8
        document = json.loads(text)  # strict: no raw control characters inside strings
    except ValueError as error:
        fail(f"{request}: not valid UTF-8 JSON ({error}): {body!r}")
        return
    status, object_code, array_code = REASONS[reason]
    if int(status_text) != status:
        fail(f"{request}: status {status_text} instead of {status}")
    if reason in DELAYED or (reason in MAYBE_DELAYED and ":" in spec):
        nanoseconds = int(spec.split(":")[1])
        # integer ceiling, at least 1, at most 2^31 (RFC 9111 section 1.2.2's largest delta-seconds)
        expected_retry = min(2**31, max(1, -(-nanoseconds // 10**9)))
        if int(retry_text) != expected_retry:
            fail(f"{request}: Retry-After {retry_text} instead of {expected_retry}")
    elif retry_text != b"-":
        fail(f"{request}: Retry-After {retry_text} without a delay")

    want_details = {n.decode("utf-8", "replace"): v.decode("utf-8", "replace") for n, v in details}
    if style == "error_object":
        error = document.get("error", {})
        if document.get("success") is not False or set(document) != {"success", "error"}:
            fail(f"{request}: bad envelope {document}")
        if set(error) != {"code", "message", "details"} or error["code"] != object_code:
            fail(f"{request}: bad error object {error}")
        got_message, got_details = error.get("message"), error.get("details")
    else:
        errors = document.get("errors")
        kind = "server_error" if status >= 500 else "client_error"
        if document.get("type") != kind or set(document) != {"type", "errors"} or len(errors) != 1:
            fail(f"{request}: bad envelope {document}")
            return
        item = errors[0]
        if set(item) != {"code", "detail", "attr", "extra"} or item["code"] != array_code or item["attr"] is not None:
            fail(f"{request}: bad error item {item}")
        got_message, got_details = item.get("detail"), item.get("extra")
        if not details:
            want_details = None
    if not isinstance(got_message, str) or not got_message:
        fail(f"{request}: message missing")
    if message is not None and got_message != message.decode("utf-8", "replace"):
        fail(f"{request}: message {got_message!r} instead of {message.decode('utf-8', 'replace')!r}")
    if got_details != want_details:
        fail(f"{request}: details {got_details!r} instead of {want_details!r}")


def random_text(rng):
    """Bytes that stress escaping: ASCII with every control character, quotes and backslashes, well-formed
    multi-byte UTF-8, and random bytes (mostly ill-formed)."""
    pieces = []
    for _ in range(rng.randrange(0, 12)):
        kind = rng.randrange(5)
        if kind == 0:
            pieces.append(bytes([rng.randrange(0, 0x20)]))
        elif kind == 1:
            pieces.append(rng.choice([b'"', b"\\", b"/", b"\x7f", b"'", b"\\u0041"]))
        elif kind == 2:
            code_point = rng.choice([0xE9, 0x20AC, 0x1F600, 0x10FFFF, 0xFFFD, 0x2028, rng.randrange(0x80, 0xD800)])
            pieces.append(chr(code_point).encode())
        elif kind == 3:
            pieces.append(bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randrange(1, 4))))
        else:
            pieces.append(bytes(rng.randrange(0x20, 0x7F) for _ in range(rng.randrange(1, 6))))
    return b"".join(pieces)


def main():
    rng = random.Random(20240601)
    requests = []
    for reason in REASONS:
        arguments = {"rate_limited": ":1500000000", "unavailable": ":1500000000", "insufficient_scope": ":write"}
        spec = reason + arguments.get(reason, "")
        for style in STYLES:
            requests.append((spec, style, None, []))
            requests.append((spec, style, None, [(b"key_id", b"key_1234567890")]))
            if reason in MAYBE_DELAYED:
                requests.append((spec + ":1500000000", style, None, []))
    for nanoseconds in (1, 999_999_999, 10**9, 10**9 + 1, 0, -5 * 10**9, 7200 * 10**9, 2**62):
        for reason in DELAYED + MAYBE_DELAYED:
            requests.append((f"{reason}:{nanoseconds}", "error_object", None, []))
    for _ in range(3000):
        spec = rng.choice(list(REASONS))
        if spec in DELAYED or (spec in MAYBE_DELAYED and rng.randrange(2)):
            spec += ":1"
        elif spec == "insufficient_scope":
            spec += ":read"
        message = random_text(rng)
        details = [(b"a" + random_text(rng), random_text(rng))]  # values may be empty
        if rng.randrange(2):
            details.append((b"b" + random_text(rng), random_text(rng)))
        requests.append((spec, rng.choice(STYLES), message or None, details))
    for request, line in zip(requests, run(requests)):
        check(request, line)
    print(f"{len(requests)} bodies checked, {failures} failures")
    sys.exit(1 if failures else 0)


main()
