#!/usr/bin/env python3
"""Tests of `keyward jwt`, `keyward webhook`, `keyward retry-after` and `keyward backoff`.

Runs the binary given as argv[1] with good and bad input and checks stdout, stderr and the exit code. Every
expected value is computed here, independently of keyward: JWTs are built and checked by hand with hmac,
base64 and json (no `jwt` module); webhook signatures follow each provider's documented scheme; the
HTTP-dates are the examples of RFC 9110 section 5.6.7. Prints `ok NAME` or `FAIL NAME: why` per check and
exits 1 when any check failed.
"""

import base64
import email.utils
import hashlib
import hmac
import json
import os
import subprocess
import sys

KEYWARD = sys.argv[1] if len(sys.argv) > 1 else "keyward"
FAILURES = []

JWT_SECRET = "s3cr3t-for-tests-0123456789abcdef"  # 33 bytes: enough for HS256
JWT_SECRET_512 = "x" * 64
NOW = 1_700_000_000


def check(name, condition, why=""):
    """Records one check."""
    if condition:
        print(f"ok {name}")
    else:
        print(f"FAIL {name}: {why}")
        FAILURES.append(name)


def run(args, stdin=b"", env=None):
    """Runs keyward with `args`, `stdin` (bytes) and the variables `env` added to a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("KEYWARD_")}
    base.update(env or {})
    done = subprocess.run([KEYWARD] + args, input=stdin, env=base, capture_output=True, timeout=30)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def run_with_unreadable_stdin(args, env=None):
    """Runs keyward with `args` and a directory as stdin, which opens but cannot be read (EISDIR)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("KEYWARD_")}
    base.update(env or {})
    directory = os.open("/", os.O_RDONLY)
    try:
        done = subprocess.run([KEYWARD] + args, stdin=directory, env=base, capture_output=True, timeout=30)
    finally:
        os.close(directory)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def expect(name, result, code, stdout_has=None, stderr_has=None):
    """Checks the exit code and that stdout / stderr contain the given texts (stdout_has "": stdout is
    empty); returns stdout."""
    rc, out, err = result
    why = f"exit {rc} (want {code}); stdout {out[:300]!r}; stderr {err[:300]!r}"
    good = rc == code and (stdout_has != "" or out == "")
    for text in [stdout_has] if isinstance(stdout_has, str) else (stdout_has or []):
        good = good and text in out
    for text in [stderr_has] if isinstance(stderr_has, str) else (stderr_has or []):
        good = good and text in err
    check(name, good, why)
    return out


def parse_json(name, text):
    """The JSON document `text`, or None after a failed check."""
    try:
        return json.loads(text)
    except ValueError as e:
        check(name + " (json)", False, f"{e}: {text[:300]!r}")
        return None


# --- JWT, built and checked by hand -------------------------------------------------------------------

def b64url(data):
    """`data` (bytes) in base64url without padding (RFC 7515 section 2), as text."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    """The bytes of the unpadded base64url `text` (the padding is put back first)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def make_token(claims, secret=JWT_SECRET, header=None, alg="HS256"):
    """A compact JWS of `claims` signed with HMAC by hand."""
    head = header if header is not None else {"alg": alg, "typ": "JWT"}
    signing_input = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    digest = HASHES.get(head.get("alg"), hashlib.sha256)
    mac = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(mac)


def check_token(token, secret=JWT_SECRET, alg="HS256"):
    """(header, claims) of `token` when its HMAC verifies under `secret`, else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    mac = hmac.new(secret.encode(), (parts[0] + "." + parts[1]).encode(), HASHES[alg]).digest()
    if not hmac.compare_digest(mac, unb64url(parts[2])):
        return None
    return json.loads(unb64url(parts[0])), json.loads(unb64url(parts[1]))


def test_jwt():
    """jwt sign / verify / decode against tokens built and checked here."""
    env = {"KEYWARD_JWT_SECRET": JWT_SECRET}

    # keyward signs, Python verifies.
    out = expect("jwt sign", run(["jwt", "sign", "--iss", "acme-auth", "--sub", "user_1", "--aud", "acme-api",
                                  "--ttl", "600", "--claim", "role=admin", "--claim", "n=42", "--claim", "ok=true",
                                  "--now", str(NOW)], env=env), 0)
    decoded = check_token(out.strip())
    check("jwt sign: HS256 signature verifies in Python", decoded is not None, out)
    if decoded:
        header, claims = decoded
        check("jwt sign: header", header.get("alg") == "HS256" and header.get("typ") == "JWT", header)
        want = {"iss": "acme-auth", "sub": "user_1", "aud": "acme-api", "iat": NOW, "exp": NOW + 600,
                "role": "admin", "n": 42, "ok": True}
        check("jwt sign: claims", claims == want, f"{claims} != {want}")

    out = expect("jwt sign HS512 with kid and two audiences",
                 run(["jwt", "sign", "--alg", "HS512", "--kid", "k1", "--aud", "a", "--aud", "b", "--now", str(NOW)],
                     env={"KEYWARD_JWT_SECRET": JWT_SECRET_512}), 0)
    decoded = check_token(out.strip(), JWT_SECRET_512, "HS512")
    check("jwt sign HS512: verifies in Python", decoded is not None and decoded[0].get("kid") == "k1"
          and decoded[1].get("aud") == ["a", "b"] and decoded[1].get("exp") == NOW + 3600, decoded)

    out = expect("jwt sign --claims-json", run(["jwt", "sign", "--claims-json", '{"scope":["a","b"],"exp":5}',
                                                "--now", "0", "--json"], env=env), 0)
    doc = parse_json("jwt sign --claims-json", out)
    if doc:
        decoded = check_token(doc["token"])
        check("jwt sign --claims-json: kept its exp, added iat", decoded is not None and
              decoded[1] == {"scope": ["a", "b"], "exp": 5, "iat": 0} and doc["claims"] == decoded[1], doc)
    expect("jwt sign --claims-json from stdin", run(["jwt", "sign", "--claims-json", "-"], b'{"x":1}', env), 0)
    expect("jwt sign: a claim twice", run(["jwt", "sign", "--sub", "a", "--claim", "sub=b"], env=env), 1, None,
           "twice")
    expect("jwt sign: --claims-json not JSON", run(["jwt", "sign", "--claims-json", '{"a":}'], env=env), 1, None,
           "at byte 5")
    expect("jwt sign: secret unset", run(["jwt", "sign"]), 2, None, "KEYWARD_JWT_SECRET is not set")
    expect("jwt sign: secret too short", run(["jwt", "sign"], env={"KEYWARD_JWT_SECRET": "short"}), 2, None,
           "at least 32")
    expect("jwt sign: --alg none", run(["jwt", "sign", "--alg", "none"], env=env), 2)
    expect("jwt sign: --ttl 0", run(["jwt", "sign", "--ttl", "0"], env=env), 2)
    expect("jwt sign: secret from --secret-env",
           run(["jwt", "sign", "--secret-env", "OTHER_SECRET"], env={"OTHER_SECRET": JWT_SECRET}), 0)

    # Python signs, keyward verifies.
    good = {"iss": "acme-auth", "sub": "user_1", "aud": "acme-api", "iat": NOW, "exp": NOW + 600, "tier": "gold"}
    token = make_token(good)
    out = expect("jwt verify: a Python-signed token", run(["jwt", "verify", token, "--iss", "acme-auth", "--aud",
                                                           "acme-api", "--sub", "user_1", "--now", str(NOW + 10)],
                                                          env=env), 0, ["valid", '"tier": "gold"'])
    out = expect("jwt verify --json", run(["jwt", "verify", token, "--aud", "acme-api", "--now", str(NOW), "--json"],
                                          env=env), 0)
    doc = parse_json("jwt verify --json", out)
    if doc:
        check("jwt verify --json: claims", doc.get("valid") is True and doc.get("claims") == good
              and doc.get("alg") == "HS256", doc)
    expect("jwt verify: token from stdin", run(["jwt", "verify", "-", "--aud", "acme-api", "--now", str(NOW)],
                                               (token + "\n").encode(), env), 0, "valid")
    expect("jwt verify: keyward's own token", run(["jwt", "verify", run(["jwt", "sign", "--aud", "x"], env=env)[1]
                                                   .strip(), "--aud", "x"], env=env), 0, "valid")
    head, body, sig = token.split(".")
    tampered = head + "." + b64url(json.dumps(dict(good, tier="platinum")).encode()) + "." + sig
    expect("jwt verify: tampered claims", run(["jwt", "verify", tampered, "--aud", "acme-api", "--now", str(NOW)],
                                              env=env), 1, None, "invalid signature")
    expect("jwt verify: another secret", run(["jwt", "verify", token, "--aud", "acme-api", "--now", str(NOW)],
                                             env={"KEYWARD_JWT_SECRET": JWT_SECRET + "!"}), 1, None,
           "invalid signature")
    expect("jwt verify: expired", run(["jwt", "verify", token, "--aud", "acme-api", "--now", str(NOW + 600 + 60)],
                                      env=env), 1, None, ["expired", "(exp 2023-11-14T22:23:20Z, now "
                                                                      "2023-11-14T22:24:20Z, leeway 60 s)"])
    expect("jwt verify: within the default 60 s leeway",
           run(["jwt", "verify", token, "--aud", "acme-api", "--now", str(NOW + 600 + 59)], env=env), 0)
    expect("jwt verify: --leeway 0", run(["jwt", "verify", token, "--aud", "acme-api", "--leeway", "0", "--now",
                                          str(NOW + 600)], env=env), 1, None, "expired")
    expect("jwt verify: --leeway 301", run(["jwt", "verify", token, "--leeway", "301"], env=env), 2)
    expect("jwt verify: wrong aud", run(["jwt", "verify", token, "--aud", "other-api", "--now", str(NOW)], env=env),
           1, None, "wrong audience")
    expect("jwt verify: aud present but none configured", run(["jwt", "verify", token, "--now", str(NOW)], env=env),
           1, None, "wrong audience")
    expect("jwt verify: wrong iss", run(["jwt", "verify", token, "--aud", "acme-api", "--iss", "evil", "--now",
                                         str(NOW)], env=env), 1, None, "wrong issuer")
    expect("jwt verify: wrong sub", run(["jwt", "verify", token, "--aud", "acme-api", "--sub", "user_2", "--now",
                                         str(NOW)], env=env), 1, None, "wrong subject")
    expect("jwt verify: no exp", run(["jwt", "verify", make_token({"sub": "a"}), "--now", str(NOW)], env=env), 1,
           None, "required claim missing")
    expect("jwt verify: nbf in the future", run(["jwt", "verify", make_token({"exp": NOW + 900, "nbf": NOW + 300}),
                                                 "--now", str(NOW)], env=env), 1, None, "not yet valid")
    none_token = b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(json.dumps({"exp": NOW + 60}).encode()) + "."
    expect("jwt verify: alg none", run(["jwt", "verify", none_token, "--now", str(NOW)], env=env), 1, None,
           "alg none")
    expect("jwt verify: HS512 token, HS256 expected",
           run(["jwt", "verify", make_token({"exp": NOW + 60}, JWT_SECRET_512, alg="HS512"), "--now", str(NOW)],
               env={"KEYWARD_JWT_SECRET": JWT_SECRET_512}), 1, None, "algorithm not allowed")
    expect("jwt verify --alg HS512",
           run(["jwt", "verify", make_token({"exp": NOW + 60}, JWT_SECRET_512, alg="HS512"), "--alg", "HS512",
                "--now", str(NOW)], env={"KEYWARD_JWT_SECRET": JWT_SECRET_512}), 0)
    expect("jwt verify: secret unset", run(["jwt", "verify", token]), 2, None, "KEYWARD_JWT_SECRET is not set")
    expect("jwt verify: secret empty", run(["jwt", "verify", token], env={"KEYWARD_JWT_SECRET": ""}), 2, None,
           "empty")
    expect("jwt verify: malformed token", run(["jwt", "verify", "a.b", "--now", str(NOW)], env=env), 1, None,
           "three segments")
    expect("jwt verify: no token", run(["jwt", "verify"], env=env), 2)

    # decode: unverified, times as UTC dates.
    out = expect("jwt decode", run(["jwt", "decode", token]), 0, ['"alg": "HS256"', '"sub": "user_1"',
                                                                   "2023-11-14T22:13:20Z", "2023-11-14T22:23:20Z"],
                 "NOT verified")
    out = expect("jwt decode --json", run(["jwt", "decode", token, "--json"]), 0, None, "NOT verified")
    doc = parse_json("jwt decode --json", out)
    if doc:
        check("jwt decode --json: content", doc.get("claims") == good and doc.get("header") == {"alg": "HS256",
              "typ": "JWT"} and doc.get("times", {}).get("exp") == "2023-11-14T22:23:20Z"
              and doc.get("verified") is False and doc.get("signature_bytes") == 32, doc)
    expect("jwt decode: a tampered token still decodes", run(["jwt", "decode", tampered]), 0, '"platinum"')
    expect("jwt decode: stdin", run(["jwt", "decode", "-"], token.encode()), 0, '"tier": "gold"')
    expect("jwt decode: two segments", run(["jwt", "decode", "abc.def"]), 1, None, "at byte 7")
    bad64 = "eyJhbGciOiJIUzI1NiJ9.e*J9." + sig
    expect("jwt decode: bad base64url, offset", run(["jwt", "decode", bad64]), 1, None, "at byte 22")
    expect("jwt decode: header not JSON", run(["jwt", "decode", b64url(b"{alg") + ".e30." + sig]), 1, None,
           "invalid JSON")
    expect("jwt: no sub-verb", run(["jwt"]), 2, None, "missing sub-verb: decode, verify, sign")
    expect("jwt: unknown sub-verb", run(["jwt", "frob"]), 2, None, "unknown sub-verb")
    expect("jwt --help", run(["jwt", "--help"]), 0, ["jwt decode", "jwt verify", "jwt sign"])
    expect("jwt help (the shared group dispatcher)", run(["jwt", "help"]), 0, ["jwt decode", "jwt verify", "jwt sign"])
    expect("jwt -h", run(["jwt", "-h"]), 0, "usage: keyward jwt")

    # Options: the repeatable ones may repeat, the others not.
    expect("jwt verify: --alg twice", run(["jwt", "verify", token, "--alg", "HS256", "--alg", "HS256"], env=env), 2,
           None, "--alg is given twice")
    expect("jwt verify: two --aud, one matches", run(["jwt", "verify", token, "--aud", "x", "--aud", "acme-api",
                                                      "--now", str(NOW)], env=env), 0, "valid")
    # --now and --secret-env: the shared rules (Unix seconds 0 or more; a variable name not empty).
    expect("jwt verify: negative --now", run(["jwt", "verify", token, "--aud", "acme-api", "--now", "-5"], env=env),
           2, "", "--now needs a whole number")
    expect("jwt sign: negative --now", run(["jwt", "sign", "--now", "-1"], env=env), 2, None, "--now")
    expect("jwt sign: --now 0", run(["jwt", "sign", "--now", "0"], env=env), 0)
    expect("jwt sign: empty --secret-env", run(["jwt", "sign", "--secret-env", ""], env=env), 2, None,
           "--secret-env needs a variable name")
    # TOKEN '-': empty stdin is a usage error (2), an over-long line a rejected input (1).
    expect("jwt verify: empty stdin", run(["jwt", "verify", "-"], b"", env), 2, "", "nothing on stdin")
    expect("jwt decode: empty stdin", run(["jwt", "decode", "-"], b""), 2, "", "nothing on stdin")
    expect("jwt decode: over-long stdin line", run(["jwt", "decode", "-"], b"a" * (64 * 1024 + 1) + b"\n"), 1, "",
           "longer than 65536 bytes")
    expect("jwt decode: two tokens", run(["jwt", "decode", token, token]), 2, "", "takes one TOKEN")
    expect("jwt decode --json: malformed prints nothing on stdout", run(["jwt", "decode", "a.b", "--json"]), 1, "")
    expect("jwt verify --json: rejected prints nothing on stdout",
           run(["jwt", "verify", tampered, "--aud", "acme-api", "--now", str(NOW), "--json"], env=env), 1, "",
           "invalid signature")
    expect("jwt sign: --claims-json - with empty stdin", run(["jwt", "sign", "--claims-json", "-"], b"", env), 2, "",
           "nothing on stdin")
    expect("jwt sign: --claims-json - with unreadable stdin",
           run_with_unreadable_stdin(["jwt", "sign", "--claims-json", "-"], env), 2, "", "cannot read stdin")
    expect("jwt decode: unreadable stdin", run_with_unreadable_stdin(["jwt", "decode", "-"]), 2, "",
           "cannot read stdin")
    expect("jwt sign: --claims-json - over 1 MiB", run(["jwt", "sign", "--claims-json", "-"],
                                                       b" " * (1024 * 1024 + 1), env), 1, "", "longer than")


# --- Webhooks, signed by each provider's documented scheme ----------------------------------------------

STANDARD_SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()
PLAIN_SECRET = "whsec_plainSecretUsedAsItIs123"
BODY = b'{"type":"invoice.paid","amount":100}\n\x00\xff end'


def hmac_sha256(key, message):
    return hmac.new(key, message, hashlib.sha256).digest()


def python_headers(style, body, timestamp, msg_id="msg_py1"):
    """The header fields a sender of `style` sends with `body` at `timestamp`, computed here."""
    ts = str(timestamp)
    if style == "standard":
        key = base64.b64decode(STANDARD_SECRET[len("whsec_"):])
        sig = base64.b64encode(hmac_sha256(key, f"{msg_id}.{ts}.".encode() + body)).decode()
        return {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": "v1," + sig}
    if style == "stripe":
        return {"Stripe-Signature": f"t={ts},v1=" + hmac_sha256(PLAIN_SECRET.encode(), ts.encode() + b"." + body).hex()}
    if style == "github":
        return {"X-Hub-Signature-256": "sha256=" + hmac_sha256(PLAIN_SECRET.encode(), body).hex()}
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + hmac_sha256(PLAIN_SECRET.encode(), f"v0:{ts}:".encode() + body).hex()}


def secret_env(style):
    """The environment holding the test secret of `style`."""
    return {"KEYWARD_WEBHOOK_SECRET": STANDARD_SECRET if style == "standard" else PLAIN_SECRET}


def header_args(headers):
    """The --header options that pass the fields `headers` (a dict)."""
    args = []
    for name, value in headers.items():
        args += ["--header", f"{name}: {value}"]
    return args


def parse_header_lines(text):
    """The `Name: value` lines of `text` as a dict."""
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(": ")
        fields[name] = value
    return fields


def test_webhook():
    """webhook sign / verify against each provider's scheme computed here."""
    for style in ("standard", "stripe", "github", "slack"):
        env = secret_env(style)
        sign_args = ["webhook", "sign", "--style", style]
        if style != "github":
            sign_args += ["--timestamp", str(NOW)]
        if style == "standard":
            sign_args += ["--id", "msg_py1"]
        out = expect(f"webhook sign {style}", run(sign_args, BODY, env), 0)
        want = python_headers(style, BODY, NOW)
        got = parse_header_lines(out)
        check(f"webhook sign {style}: headers match the documented scheme", got == want, f"{got} != {want}")
        out = expect(f"webhook sign {style} --json", run(sign_args + ["--json"], BODY, env), 0)
        doc = parse_json(f"webhook sign {style} --json", out)
        if doc:
            check(f"webhook sign {style} --json: headers", doc.get("headers") == want and doc.get("style") == style,
                  doc)

        when = [] if style == "github" else ["--now", str(NOW + 5)]
        verify_args = ["webhook", "verify", "--style", style] + when
        expect(f"webhook verify {style}: Python-signed", run(verify_args + header_args(want), BODY, env), 0, "valid")
        out = expect(f"webhook verify {style} --json", run(verify_args + header_args(want) + ["--json"], BODY, env), 0)
        doc = parse_json(f"webhook verify {style} --json", out)
        check(f"webhook verify {style} --json: valid", doc == {"valid": True, "style": style}, doc)
        lower = {k.lower(): v for k, v in want.items()}
        expect(f"webhook verify {style}: header names in any case", run(verify_args + header_args(lower), BODY, env),
               0, "valid")
        expect(f"webhook verify {style}: tampered body", run(verify_args + header_args(want), BODY + b"!", env), 1,
               None, "no signature matches")
        expect(f"webhook verify {style}: another secret",
               run(verify_args + header_args(want), BODY,
                   {"KEYWARD_WEBHOOK_SECRET": "whsec_" + base64.b64encode(b"y" * 32).decode()}), 1, None,
               "no signature matches")
        expect(f"webhook verify {style}: secret unset", run(verify_args + header_args(want), BODY), 2, None,
               "KEYWARD_WEBHOOK_SECRET is not set")
        expect(f"webhook verify {style}: headers missing", run(verify_args, BODY, env), 1, None,
               "required header missing")
        if style != "github":
            old = ["webhook", "verify", "--style", style, "--now", str(NOW + 301)]
            expect(f"webhook verify {style}: timestamp too old", run(old + header_args(want), BODY, env), 1, None,
                   "timestamp too old")
            expect(f"webhook verify {style}: --tolerance 400", run(old + ["--tolerance", "400"] + header_args(want),
                                                                   BODY, env), 0, "valid")
            early = ["webhook", "verify", "--style", style, "--now", str(NOW - 301)]
            expect(f"webhook verify {style}: timestamp in the future", run(early + header_args(want), BODY, env), 1,
                   None, "timestamp too far in the future")
        # keyward signs now, keyward verifies now.
        signed = parse_header_lines(run(["webhook", "sign", "--style", style], BODY, env)[1])
        expect(f"webhook sign then verify {style}", run(["webhook", "verify", "--style", style] + header_args(signed),
                                                        BODY, env), 0, "valid")

    # The example of the Standard Webhooks specification (its reference libraries' test vector).
    spec = {"KEYWARD_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
    expect("webhook sign standard: the specification's example",
           run(["webhook", "sign", "--style", "standard", "--id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "--timestamp",
                "1614265330"], b'{"test": 2432232314}', spec), 0,
           "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n")

    env = secret_env("standard")
    out = expect("webhook sign standard: id generated", run(["webhook", "sign", "--style", "standard", "--timestamp",
                                                             str(NOW)], b"{}", env), 0)
    got = parse_header_lines(out)
    msg_id = got.get("webhook-id", "")
    check("webhook sign standard: generated id signed", msg_id.startswith("msg_") and len(msg_id) > 10
          and got == python_headers("standard", b"{}", NOW, msg_id), got)
    expect("webhook sign standard: empty body", run(["webhook", "sign", "--style", "standard"], b"", env), 0,
           "webhook-signature: v1,")
    expect("webhook sign standard: bad secret", run(["webhook", "sign", "--style", "standard"], b"",
                                                    {"KEYWARD_WEBHOOK_SECRET": "whsec_c2hvcnQ="}), 2, None,
           "invalid secret")
    expect("webhook sign: id with a space", run(["webhook", "sign", "--style", "standard", "--id", "a b"], b"", env),
           1, None, "invalid message id")
    expect("webhook sign: no --style", run(["webhook", "sign"], b"", env), 2, None, "--style")
    expect("webhook sign: unknown --style", run(["webhook", "sign", "--style", "paypal"], b"", env), 2)
    expect("webhook sign: secret unset", run(["webhook", "sign", "--style", "github"], b""), 2)
    expect("webhook sign: --secret-env", run(["webhook", "sign", "--style", "github", "--secret-env", "HOOK"], b"x",
                                             {"HOOK": PLAIN_SECRET}), 0,
           "sha256=" + hmac_sha256(PLAIN_SECRET.encode(), b"x").hex())
    expect("webhook verify: --header without a colon", run(["webhook", "verify", "--style", "github", "--header",
                                                            "nocolon"], b"", env), 2)
    bad = dict(python_headers("standard", BODY, NOW), **{"webhook-signature": "v1,!!!"})
    expect("webhook verify: malformed signature field",
           run(["webhook", "verify", "--style", "standard", "--now", str(NOW)] + header_args(bad), BODY, env), 1, None,
           "malformed signature header at byte 3 of webhook-signature")
    expect("webhook: no sub-verb", run(["webhook"]), 2, None, "missing sub-verb: sign, verify")
    expect("webhook --help", run(["webhook", "--help"]), 0, ["webhook sign", "webhook verify"])
    expect("webhook help (the shared group dispatcher)", run(["webhook", "help"]), 0, ["webhook sign",
                                                                                        "webhook verify"])
    # A header given twice is a usage error, even when the first value is empty.
    good = python_headers("standard", BODY, NOW)
    twice = ["webhook", "verify", "--style", "standard", "--now", str(NOW)] + header_args(good)
    expect("webhook verify: a header twice", run(twice + ["--header", "webhook-id: b"], BODY, env), 2, "",
           "--header webhook-id is given twice")
    expect("webhook verify: a header twice, the first empty",
           run(["webhook", "verify", "--style", "standard", "--now", str(NOW), "--header", "webhook-id:",
                "--header", "webhook-id: b"], BODY, env), 2, "", "--header webhook-id is given twice")
    expect("webhook verify: a header twice, names in another case",
           run(twice + ["--header", "WEBHOOK-ID:"], BODY, env), 2, "", "given twice")
    expect("webhook verify: --style twice", run(["webhook", "verify", "--style", "standard", "--style", "standard"],
                                                BODY, env), 2, "", "--style is given twice")
    expect("webhook verify --json: rejected prints nothing on stdout",
           run(["webhook", "verify", "--style", "standard", "--now", str(NOW), "--json"] + header_args(good),
               BODY + b"!", env), 1, "", "no signature matches")
    # stdin that cannot be read is a usage error (2), as for every verb.
    expect("webhook sign: unreadable stdin", run_with_unreadable_stdin(["webhook", "sign", "--style", "github"], env),
           2, "", "cannot read stdin")
    expect("webhook verify: unreadable stdin",
           run_with_unreadable_stdin(["webhook", "verify", "--style", "github"] + header_args(good), env), 2, "",
           "cannot read stdin")
    # --now / --timestamp: the shared rule (Unix seconds, 0 or more); --secret-env not empty.
    expect("webhook verify: negative --now", run(["webhook", "verify", "--style", "standard", "--now", "-1"]
                                                 + header_args(good), BODY, env), 2, "", "--now needs a whole number")
    expect("webhook sign: negative --timestamp", run(["webhook", "sign", "--style", "standard", "--timestamp", "-1"],
                                                     BODY, env), 2, "", "--timestamp needs a whole number")
    expect("webhook sign: empty --secret-env", run(["webhook", "sign", "--style", "github", "--secret-env", ""],
                                                   BODY, env), 2, "", "--secret-env needs a variable name")
    expect("webhook verify: --header without a colon (stdout empty)",
           run(["webhook", "verify", "--style", "github", "--header", "nocolon"], b"", env), 2, "", "Name: value")


# --- Retry-After and backoff -----------------------------------------------------------------------------

RFC_DATE = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT, the example of RFC 9110 section 5.6.7


def test_retry_after():
    """retry-after with the examples of RFC 9110 and bad values."""
    out = expect("retry-after delay-seconds", run(["retry-after", "120", "--now", "1000", "--json"]), 0)
    doc = parse_json("retry-after delay-seconds", out)
    check("retry-after delay-seconds: values", doc == {"form": "delay-seconds", "wait_seconds": 120,
          "until": email.utils.formatdate(1120, usegmt=True), "until_unix": 1120}, doc)
    expect("retry-after text", run(["retry-after", "120", "--now", "1000"]), 0,
           ["wait 120 s", email.utils.formatdate(1120, usegmt=True)])
    expect("retry-after: whitespace around", run(["retry-after", " 7\t", "--now", "0"]), 0, "wait 7 s")
    expect("retry-after: stdin", run(["retry-after", "-", "--now", "0"], b"30\n"), 0, "wait 30 s")
    for form, value in (("IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT"),
                        ("RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT"),
                        ("asctime", "Sun Nov  6 08:49:37 1994")):
        out = expect(f"retry-after {form}", run(["retry-after", value, "--now", str(RFC_DATE - 90), "--json"]), 0)
        doc = parse_json(f"retry-after {form}", out)
        check(f"retry-after {form}: 90 s", doc is not None and doc["wait_seconds"] == 90 and doc["form"] == "HTTP-date"
              and doc["until_unix"] == RFC_DATE and doc["until"] == "Sun, 06 Nov 1994 08:49:37 GMT", doc)
    expect("retry-after: --now as an HTTP-date", run(["retry-after", "Sun, 06 Nov 1994 08:51:37 GMT", "--now",
                                                      "Sun, 06 Nov 1994 08:49:37 GMT"]), 0, "wait 120 s")
    expect("retry-after: a date in the past is 0", run(["retry-after", "Sun, 06 Nov 1994 08:49:37 GMT", "--now",
                                                        str(RFC_DATE + 5)]), 0, "wait 0 s")
    # Bad values: the caret under the first byte the grammar does not allow (or the impossible field).
    for name, value, offset in (("a letter after digits", "12a", 2),
                                ("a fraction", "1.5", 1),
                                ("a negative number", " -5", 1),
                                ("GMX for GMT", "Sun, 06 Nov 1994 08:49:37 GMX", 28),
                                ("31 April", "Sun, 31 Apr 1994 08:49:37 GMT", 5),
                                ("hour 25", "Sun, 06 Nov 1994 25:49:37 GMT", 17),
                                ("lower-case month", "Sun, 06 nov 1994 08:49:37 GMT", 8),
                                ("empty", "", 0)):
        rc, out, err = run(["retry-after", "--now", "0", "--", value])
        lines = out.split("\n")
        check(f"retry-after bad: {name}", rc == 1 and lines[0] == value and lines[1] == " " * offset + "^"
              and f"at byte {offset}" in err and "Retry-After" in err, (rc, out, err))
    expect("retry-after: bad --now", run(["retry-after", "5", "--now", "yesterday"]), 2, None, "--now")
    expect("retry-after: no value", run(["retry-after"]), 2)
    # With --json a rejected value prints nothing on stdout (no caret), only the reason on stderr.
    expect("retry-after --json: garbage prints nothing on stdout", run(["retry-after", "garbage", "--json"]), 1, "",
           "at byte 0")
    # --now: Unix seconds 0 or more (the shared rule), or an HTTP-date.
    expect("retry-after: negative --now", run(["retry-after", "5", "--now", "-5"]), 2, "", "--now needs a whole number")
    expect("retry-after: --now twice", run(["retry-after", "5", "--now", "1", "--now", "2"]), 2, "", "given twice")
    # VALUE '-': empty stdin is a usage error (2), an over-long line a rejected input (1).
    expect("retry-after: empty stdin", run(["retry-after", "-"], b""), 2, "", "nothing on stdin")
    expect("retry-after: over-long stdin line", run(["retry-after", "-"], b"1" * (64 * 1024 + 1)), 1, "",
           "longer than 65536 bytes")
    expect("retry-after: two values", run(["retry-after", "1", "2"]), 2, "", "takes one VALUE")


def ceilings(base, cap, multiplier, count):
    """t(n) = min(cap, base * multiplier^n) for n < count, rounded to whole nanoseconds."""
    return [min(cap, round(base * multiplier ** n)) for n in range(count)]


def schedule(args):
    """The waits (ns) of `keyward backoff args --json`, checked to add up; None on failure."""
    rc, out, err = run(["backoff"] + args + ["--json"])
    if rc != 0:
        check("backoff " + " ".join(args), False, err)
        return None
    doc = parse_json("backoff " + " ".join(args), out)
    if not doc:
        return None
    waits = [a["wait_ns"] for a in doc["attempts"]]
    total, sums_ok = 0, True
    for i, a in enumerate(doc["attempts"]):
        total += a["wait_ns"]
        sums_ok = sums_ok and a["attempt"] == i + 1 and a["cumulative_ns"] == total
    check("backoff " + " ".join(args) + ": numbered and cumulative", sums_ok and waits[0] == 0, doc)
    return waits


def test_backoff():
    """backoff schedules against the formulas of each policy."""
    ms, s = 10**6, 10**9
    waits = schedule(["--policy", "exponential", "--attempts", "10", "--base", "100ms", "--cap", "5s"])
    want = [0] + ceilings(100 * ms, 5 * s, 2, 9)
    check("backoff exponential: base * 2^n capped", waits == want, f"{waits} != {want}")
    waits = schedule(["--policy", "exponential", "--attempts", "6", "--base", "1.5s", "--cap", "1m",
                      "--multiplier", "3"])
    want = [0] + ceilings(1500 * ms, 60 * s, 3, 5)
    check("backoff exponential: --multiplier 3, 1.5s, 1m", waits == want, f"{waits} != {want}")
    out = expect("backoff text", run(["backoff", "--policy", "exponential", "--attempts", "4"]), 0)
    lines = out.strip().split("\n")
    check("backoff text: a header and one line per attempt", len(lines) == 5 and lines[1].split() == ["1", "0", "0"]
          and lines[4].split() == ["4", "400", "700"], out)

    for policy in ("full-jitter", "equal-jitter"):
        args = ["--policy", policy, "--attempts", "12", "--base", "100ms", "--cap", "2s", "--seed", "7"]
        first, again = schedule(args), schedule(args)
        check(f"backoff {policy}: reproducible with --seed", first is not None and first == again, (first, again))
        other = schedule(args[:-1] + ["8"])
        check(f"backoff {policy}: another seed, another schedule", other != first, other)
        unseeded = [schedule(args[:-2]) for _ in range(2)]
        check(f"backoff {policy}: random without --seed", unseeded[0] != unseeded[1], unseeded)
        if first:
            t = ceilings(100 * ms, 2 * s, 2, 11)
            low = [0 if policy == "full-jitter" else c // 2 for c in t]
            check(f"backoff {policy}: within bounds", all(lo <= w <= c for lo, w, c in zip(low, first[1:], t)),
                  first)
    waits = schedule(["--policy", "decorrelated-jitter", "--attempts", "15", "--base", "100ms", "--cap", "3s",
                      "--seed", "1"])
    if waits:
        ok, previous = True, 100 * ms
        for w in waits[1:]:
            ok = ok and 100 * ms <= w <= min(3 * s, 3 * max(previous, 100 * ms))
            previous = w
        check("backoff decorrelated-jitter: within [base, min(cap, 3 * previous)]", ok, waits)
    waits = schedule(["--policy", "grpc", "--attempts", "10", "--seed", "3"])
    if waits:
        t = ceilings(s, 120 * s, 1.6, 9)
        check("backoff grpc: initial 1 s, then t(n) +- 20 %", waits[1] == s and all(
            0.8 * c - 1 <= w <= 1.2 * c + 1 for w, c in zip(waits[2:], t[1:])), waits)
    expect("backoff: unknown policy", run(["backoff", "--policy", "linear", "--attempts", "3"]), 2)
    expect("backoff: no --attempts", run(["backoff", "--policy", "exponential"]), 2, None, "--attempts")
    expect("backoff: --attempts 0", run(["backoff", "--policy", "exponential", "--attempts", "0"]), 2)
    expect("backoff: a duration without a unit", run(["backoff", "--policy", "exponential", "--attempts", "3",
                                                      "--base", "100"]), 2, None, "duration")
    expect("backoff: base above cap", run(["backoff", "--policy", "full-jitter", "--attempts", "3", "--base", "5s",
                                           "--cap", "1s"]), 2, None, "out of range")
    expect("backoff: multiplier below 1", run(["backoff", "--policy", "exponential", "--attempts", "3",
                                               "--multiplier", "0.5"]), 2, None, "out of range")
    expect("backoff: --multiplier with decorrelated-jitter", run(["backoff", "--policy", "decorrelated-jitter",
                                                                  "--attempts", "3", "--multiplier", "2"]), 2)


def test_help():
    """Every verb's --help, and an unknown option."""
    for verb in (["jwt", "decode"], ["jwt", "verify"], ["jwt", "sign"], ["webhook", "sign"], ["webhook", "verify"],
                 ["retry-after"], ["backoff"]):
        rc, out, err = run(verb + ["--help"])
        check(f"{' '.join(verb)} --help", rc == 0 and out.startswith("usage: keyward " + " ".join(verb))
              and "Exit codes" in out and err == "", (rc, out[:200], err))
    rc, out, _ = run(["backoff", "--help"])
    check("backoff --help lists the policies", all(p in out for p in ("exponential", "full-jitter", "equal-jitter",
                                                                     "decorrelated-jitter", "grpc", "--seed")), out)
    rc, out, _ = run(["jwt", "verify", "--help"])
    check("jwt verify --help names its variable", "KEYWARD_JWT_SECRET" in out, out)
    rc, out, _ = run(["webhook", "verify", "--help"])
    check("webhook verify --help names its variable", "KEYWARD_WEBHOOK_SECRET" in out, out)
    expect("an unknown option", run(["backoff", "--frobnicate"]), 2, None, "unknown option")


def main():
    """Runs every test; exit status 1 when any check failed."""
    test_jwt()
    test_webhook()
    test_retry_after()
    test_backoff()
    test_help()
    print(f"{len(FAILURES)} failed" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
