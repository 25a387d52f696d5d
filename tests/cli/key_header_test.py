#!/usr/bin/env python3
"""Tests of `keyward key new|inspect|scan|redact` and `keyward header basic|bearer|parse`.

Runs the built binary (its path is argv[1]) with good and bad input and checks stdout, stderr and the exit
code. Expected values are computed here, independently of the code under test: keys are checked and built
with zlib's CRC-32 and base62 as docs/keys.md and keys/format.hpp describe the format, digests with hmac
(HMAC-SHA256 of the whole key under the pepper, text `hmac-sha256:v<version>:<base64url, unpadded>`), Basic
values with base64. Standard library only. Prints `ok NAME` or `FAIL NAME: why` per check; exits 1 if any
failed.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile
import zlib

BINARY = sys.argv[1] if len(sys.argv) > 1 else "keyward"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PEPPER = "a pepper for the cli tests, 32 bytes or more"
failures = []


def check(name, condition, why=""):
    """Records one check."""
    if condition:
        print(f"ok {name}")
    else:
        failures.append(name)
        print(f"FAIL {name}: {why}")


def run(*args, stdin=b"", env=None):
    """Runs keyward with `args`; returns (exit code, stdout, stderr) as text. The environment is cleared of
    KEYWARD_* variables, then `env` is added. `stdin` is text, bytes, or UNREADABLE (a directory, which
    cannot be read)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KEYWARD_")}
    environment.update(env or {})
    if stdin is UNREADABLE:
        fd = os.open(tempfile.gettempdir(), os.O_RDONLY)
        try:
            done = subprocess.run([BINARY, *args], stdin=fd, capture_output=True, env=environment, timeout=60)
        finally:
            os.close(fd)
    else:
        if isinstance(stdin, str):
            stdin = stdin.encode()
        done = subprocess.run([BINARY, *args], input=stdin, capture_output=True, env=environment, timeout=60)
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")


UNREADABLE = object()


def base62_checksum(value):
    """A 32-bit value as 6 base62 characters, most significant first, left-padded with '0'."""
    out = ""
    for _ in range(6):
        out = BASE62[value % 62] + out
        value //= 62
    return out


def make_key(prefix, secret_length=32):
    """A keyward key built here: prefix, 12 + secret_length random base62, CRC-32 of all that in base62."""
    body = "".join(secrets.choice(BASE62) for _ in range(12 + secret_length))
    text = prefix + body
    return text + base62_checksum(zlib.crc32(text.encode()))


def key_is_valid(key, prefix):
    """Checks a keyward key of `prefix` independently: lengths, base62, CRC-32 checksum."""
    rest = key[len(prefix):]
    return (key.startswith(prefix) and 50 <= len(rest) <= 82 and all(c in BASE62 for c in rest)
            and base62_checksum(zlib.crc32(key[:-6].encode())) == key[-6:])


def github_token(prefix="ghp_"):
    """A GitHub-style token: prefix, 30 random base62, the CRC-32 of those 30 in base62."""
    random_part = "".join(secrets.choice(BASE62) for _ in range(30))
    return prefix + random_part + base62_checksum(zlib.crc32(random_part.encode()))


def expected_digest(key, pepper=PEPPER, version=1):
    """The storage digest text of `key`: HMAC-SHA256 under the pepper, base64url without padding."""
    tag = hmac.new(pepper.encode(), key.encode(), hashlib.sha256).digest()
    return f"hmac-sha256:v{version}:" + base64.urlsafe_b64encode(tag).decode().rstrip("=")


def one_line(text):
    """True when `text` is exactly one line."""
    return text.count("\n") == 1 and text.endswith("\n")


def check_usage(name, *args, stdin=b"", env=None):
    """A usage error: exit 2, nothing on stdout, one line on stderr."""
    code, out, err = run(*args, stdin=stdin, env=env)
    check(name, code == 2 and out == "" and one_line(err), f"exit {code}, stdout {out!r}, stderr {err!r}")


def check_json(name, text):
    """Parses `text` as one JSON document; records the check and returns the value (None on failure)."""
    try:
        value = json.loads(text)
    except ValueError as e:
        check(name, False, f"not JSON ({e}): {text!r}")
        return None
    check(name, True)
    return value


def test_help():
    for verb in [["key"], ["key", "new"], ["key", "inspect"], ["key", "scan"], ["key", "redact"], ["header"],
                 ["header", "basic"], ["header", "bearer"], ["header", "parse"]]:
        code, out, err = run(*verb, "--help")
        usage = "usage: keyward " + " ".join(verb)
        check("help " + " ".join(verb), code == 0 and out.startswith(usage) and err == "",
              f"exit {code}, stdout {out[:80]!r}")
    for verb in [["key", "new"], ["key", "inspect"], ["key", "scan"], ["key", "redact"], ["header", "basic"],
                 ["header", "bearer"], ["header", "parse"]]:
        _, out, _ = run(*verb, "--help")
        check("help lists exit codes " + " ".join(verb), "Exit codes:" in out and "2 usage" in out)
    _, out, _ = run("key", "new", "--help")
    check("help of key new names KEYWARD_PEPPER", "KEYWARD_PEPPER" in out)
    _, out, _ = run("header", "bearer", "--help")
    check("help of header bearer names KEYWARD_API_KEY", "KEYWARD_API_KEY" in out)


def test_usage_errors():
    check_usage("usage: key alone", "key")
    check_usage("usage: key unknown sub-verb", "key", "mint")
    check_usage("usage: header alone", "header")
    check_usage("usage: header unknown sub-verb", "header", "digest")
    check_usage("usage: key new without --prefix", "key", "new")
    check_usage("usage: key new unknown option", "key", "new", "--prefix", "a_", "--colour")
    check_usage("usage: key new option without value", "key", "new", "--prefix")
    check_usage("usage: key new prefix with a space", "key", "new", "--prefix", "acme sk_")
    check_usage("usage: key new prefix not ending in a separator", "key", "new", "--prefix", "acme")
    check_usage("usage: key new prefix over 32 bytes", "key", "new", "--prefix", "a" * 33 + "_")
    check_usage("usage: key new bad --environment", "key", "new", "--prefix", "a_", "--environment", "prod")
    check_usage("usage: key new bad --kind", "key", "new", "--prefix", "a_", "--kind", "master")
    check_usage("usage: key new --secret-length 31", "key", "new", "--prefix", "a_", "--secret-length", "31")
    check_usage("usage: key new --secret-length 65", "key", "new", "--prefix", "a_", "--secret-length", "65")
    check_usage("usage: key new --secret-env unset", "key", "new", "--prefix", "a_", "--secret-env", "NO_SUCH_VAR")
    check_usage("usage: key new short pepper", "key", "new", "--prefix", "a_", env={"KEYWARD_PEPPER": "x" * 31})
    check_usage("usage: key new empty pepper", "key", "new", "--prefix", "a_", env={"KEYWARD_PEPPER": ""})
    check_usage("usage: key inspect without key", "key", "inspect")
    check_usage("usage: key inspect two keys", "key", "inspect", "a", "b")
    check_usage("usage: key inspect bad --prefix", "key", "inspect", "--prefix", "a b", "x")
    check_usage("usage: key inspect - with empty stdin", "key", "inspect", "-")
    check_usage("usage: key scan without file", "key", "scan")
    check_usage("usage: key redact with an argument", "key", "redact", "file.log")
    check_usage("usage: key redact --json", "key", "redact", "--json")
    check_usage("usage: header bearer with the key in argv", "header", "bearer", "sk_live_x")
    check_usage("usage: header bearer without any key", "header", "bearer")
    check_usage("usage: header parse without value", "header", "parse")
    check_usage("usage: header parse bad --as", "header", "parse", "--as", "token", "Bearer x")
    check_usage("usage: header parse field name contradicts --as", "header", "parse", "--as", "challenge",
                "Authorization: Bearer x")


def test_key_new():
    code, out, err = run("key", "new", "--prefix", "acme_sk_live_", "--json", env={"KEYWARD_PEPPER": PEPPER})
    value = check_json("key new --json is JSON", out)
    check("key new exit 0", code == 0 and err == "", f"exit {code}, stderr {err!r}")
    if value:
        key = value["key"]
        check("key new: the key has the format and a valid CRC-32", key_is_valid(key, "acme_sk_live_"), key)
        check("key new: 32 secret characters", len(key) == len("acme_sk_live_") + 12 + 32 + 6)
        check("key new: id", value["id"] == key[13:25], value["id"])
        check("key new: redacted", value["redacted"] == "acme_sk_live_" + key[13:25] + "...", value["redacted"])
        check("key new: kind and environment from the prefix",
              (value["kind"], value["environment"], value["vendor"]) == ("secret", "live", "acme"), str(value))
        check("key new: digest = HMAC-SHA256 under KEYWARD_PEPPER", value["digest"] == expected_digest(key),
              f"{value['digest']} != {expected_digest(key)}")
        check("key new: pepper_version 1", value["pepper_version"] == 1)
    code, out, _ = run("key", "new", "--prefix", "acme_sk_test_", "--json", "--pepper-version", "7",
                       "--secret-env", "MY_PEPPER", "--secret-length", "64", env={"MY_PEPPER": PEPPER})
    value = check_json("key new --secret-env --json is JSON", out)
    if value:
        key = value["key"]
        check("key new --secret-length 64", len(key) == 13 + 12 + 64 + 6 and key_is_valid(key, "acme_sk_test_"))
        check("key new: test environment", value["environment"] == "test")
        check("key new --pepper-version 7 --secret-env",
              value["digest"] == expected_digest(key, version=7) and value["pepper_version"] == 7, value["digest"])
    _, out, _ = run("key", "new", "--prefix", "acme_pk_live_", "--json")
    value = check_json("key new without a pepper is JSON", out)
    if value:
        check("key new without a pepper: digest null", value["digest"] is None and value["pepper_version"] is None)
        check("key new: pk is publishable", value["kind"] == "publishable")
    _, out, _ = run("key", "new", "--prefix", "acme_", "--kind", "restricted", "--environment", "test", "--json")
    value = check_json("key new --kind --environment is JSON", out)
    if value:
        check("key new --kind --environment", (value["kind"], value["environment"]) == ("restricted", "test"))
    code, out, _ = run("key", "new", "--prefix", "acme_sk_live_", env={"KEYWARD_PEPPER": PEPPER})
    lines = out.splitlines()
    key = lines[0].split()[-1] if lines else ""
    check("key new text: the key on the first line", code == 0 and key_is_valid(key, "acme_sk_live_"), out)
    check("key new text: the key printed once", out.count(key) == 1, out)
    check("key new text: the digest", expected_digest(key) in out, out)
    check("key new text: the redaction", "acme_sk_live_" + key[13:25] + "..." in out, out)
    code, out, _ = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")
    check("key new --key-only: one line, the key", code == 0 and one_line(out) and key_is_valid(out.strip(), "acme_sk_live_"), out)
    a = run("key", "new", "--prefix", "a_", "--key-only")[1]
    b = run("key", "new", "--prefix", "a_", "--key-only")[1]
    check("key new: two keys differ", a != b)


def test_key_inspect():
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    code, out, err = run("key", "inspect", "--prefix", "acme_sk_live_", key, "--json")
    value = check_json("key inspect --json is JSON", out)
    check("key inspect: a new key is valid (exit 0)", code == 0 and err == "", f"exit {code} {err!r}")
    if value:
        check("key inspect: verdict", value["valid"] is True and value["checksum"] == "valid"
              and value["format"] == "keyward", str(value))
        check("key inspect: classification from --prefix", (value["prefix"], value["prefix_origin"], value["vendor"],
              value["kind"], value["environment"]) == ("acme_sk_live_", "--prefix", "acme", "secret", "live"), str(value))
        check("key inspect: id and redaction", value["id"] == key[13:25]
              and value["redacted"] == "acme_sk_live_" + key[13:25] + "...", str(value))
    check("key inspect never prints the key", key not in out and key[25:] not in out)
    code, out, err = run("key", "inspect", key)
    check("key inspect without --prefix: valid, prefix inferred", code == 0 and "inferred" in out
          and "checksum:     valid" in out, out)
    code, out, _ = run("key", "inspect", "-", stdin=key + "\n")
    check("key inspect - reads stdin", code == 0 and "verdict:      valid" in out, out)
    # one character of the secret changed: the checksum fails
    i = 30
    changed = key[:i] + ("A" if key[i] != "A" else "B") + key[i + 1:]
    code, out, err = run("key", "inspect", "--prefix", "acme_sk_live_", changed)
    check("key inspect: one character changed fails the checksum (exit 1)", code == 1 and "mismatch" in out
          and one_line(err), f"exit {code} {out!r} {err!r}")
    check("key inspect: the changed key is not printed", changed not in out + err)
    # a relabelled key (test -> live) fails: the prefix is covered by the checksum
    test_key = run("key", "new", "--prefix", "acme_sk_test_", "--key-only")[1].strip()
    code, _, _ = run("key", "inspect", "acme_sk_live_" + test_key[13:])
    check("key inspect: a key relabelled test -> live fails", code == 1)
    # an invalid character: the offset is reported
    bad = key[:20] + "!" + key[21:]
    code, out, err = run("key", "inspect", "--json", "--prefix", "acme_sk_live_", bad)
    check("key inspect --json rejected: nothing on stdout, exit 1", code == 1 and out == "", f"exit {code} {out!r}")
    check("key inspect: the reason on stderr with the byte", one_line(err) and "at byte 20" in err, err)
    code, out, err = run("key", "inspect", "--prefix", "acme_sk_live_", bad)
    check("key inspect text: invalid character", code == 1 and "invalid character" in out, out)
    # a key built here with a built-in prefix
    stripe_style = make_key("sk_test_")
    code, out, _ = run("key", "inspect", "--json", stripe_style)
    value = check_json("key inspect sk_test_ --json is JSON", out)
    if value:
        check("key inspect: a key built in Python with sk_test_ is valid, built-in table", code == 0
              and value["valid"] and value["prefix_origin"] == "built-in table" and value["vendor"] == "stripe"
              and value["environment"] == "test", str(value))
    code, out, _ = run("key", "inspect", "--json", make_key("live_", 64))
    value = check_json("key inspect live_ --json is JSON", out)
    if value:
        check("key inspect: live_ key with a 64-character secret", code == 0 and value["valid"]
              and value["environment"] == "live", str(value))
    code, out, err = run("key", "inspect", "--json", stripe_style[:-1])
    check("key inspect: wrong length", code == 1 and out == "" and "key: wrong length" in err, f"{out!r} {err!r}")
    token = github_token()
    code, out, _ = run("key", "inspect", "--json", token)
    value = check_json("key inspect ghp_ --json is JSON", out)
    if value:
        check("key inspect: a GitHub token with a valid checksum", code == 0 and value["format"] == "github_token"
              and value["checksum"] == "valid" and value["redacted"] == "ghp_...", str(value))
    broken = token[:-1] + ("0" if token[-1] != "0" else "1")
    code, out, _ = run("key", "inspect", broken)
    check("key inspect: a GitHub token with a wrong checksum", code == 1 and "mismatch" in out, out)
    code, out, err = run("key", "inspect", "nothing")
    check("key inspect: no prefix at all", code == 1 and "unknown" in out and one_line(err), out + err)


def test_key_scan():
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    token = github_token("gho_")
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "app.log")
        lines = ["GET /healthz 200", "auth ok", f"  key={key} user=bob", "nothing here sk_live_short",
                 f"{token}", "end"]
        with open(log, "w") as f:
            f.write("\n".join(lines) + "\n")
        clean = os.path.join(d, "clean.log")
        with open(clean, "w") as f:
            f.write("no keys\nat all acme_sk_live_notakey\n")
        code, out, err = run("key", "scan", "--prefix", "acme_sk_live_", log)
        check("key scan: exit 1 when a key is found", code == 1 and err == "", f"exit {code} {err!r}")
        rows = out.splitlines()
        check("key scan: the acme key at line 3, column 7", len(rows) == 2 and rows[0].startswith(f"{log}:3:7: acme secret key, live"),
              out)
        check("key scan: the token at line 5, column 1", len(rows) == 2 and rows[1].startswith(f"{log}:5:1: github"), out)
        check("key scan: public part shown", "acme_sk_live_" + key[13:25] + "..." in out and "gho_..." in out, out)
        check("key scan: the keys are never printed whole", key not in out and token not in out
              and key[25:] not in out, out)
        code, out, _ = run("key", "scan", log)
        check("key scan without --prefix: only the token", code == 1 and len(out.splitlines()) == 1, out)
        code, out, err = run("key", "scan", clean)
        check("key scan: exit 0 when none", code == 0 and out == "" and err == "", f"exit {code} {out!r}")
        code, out, err = run("key", "scan", "--prefix", "acme_sk_live_", "--json", log, clean)
        value = check_json("key scan --json is JSON", out)
        if value is not None:
            check("key scan --json: two matches with positions", code == 1 and len(value) == 2
                  and (value[0]["line"], value[0]["column"], value[0]["offset"]) == (3, 7, lines[0].__len__() + 1 + len(lines[1]) + 1 + 6)
                  and value[0]["length"] == len(key) and value[0]["source"] == "keyward_key"
                  and value[1]["source"] == "leaked_token", str(value))
        code, out, err = run("key", "scan", "--prefix", "acme_sk_live_", "-", stdin=f"x {key}\n")
        check("key scan - reads stdin", code == 1 and out.startswith("<stdin>:1:3: acme"), out)
        code, out, err = run("key", "scan", clean, os.path.join(d, "missing.log"))
        check("key scan: unreadable file exit 2, one line on stderr", code == 2 and one_line(err) and "missing.log" in err,
              f"exit {code} {err!r}")
        code, out, err = run("key", "scan", d)
        check("key scan: a directory is unreadable (exit 2)", code == 2 and one_line(err), f"exit {code} {err!r}")
        # a Stripe-style key without checksum: a pattern match, left out by --verified-only
        stripe = "sk_live_" + "".join(secrets.choice(BASE62) for _ in range(40))
        code, out, _ = run("key", "scan", "-", stdin=f"{stripe}\n")
        check("key scan: Stripe pattern", code == 1 and "pattern only" in out and stripe not in out, out)
        code, out, _ = run("key", "scan", "--verified-only", "-", stdin=f"{stripe}\n")
        check("key scan --verified-only skips patterns", code == 0 and out == "", out)
        # large input: the key straddles the 64 KiB read boundary, after many lines
        filler = "".join(f"line {i} of the log\n" for i in range(2500))
        pad = 65536 - len(filler) - 20
        big = filler + "p" * pad + " " + key + "\n" + "tail\n" * 10000
        line = filler.count("\n") + 1
        column = pad + 2
        code, out, _ = run("key", "scan", "--prefix", "acme_sk_live_", "-", stdin=big)
        check("key scan: a key across the read boundary, line and column right",
              code == 1 and out.startswith(f"<stdin>:{line}:{column}: acme"), f"{out!r} want {line}:{column}")
        # many keys built here, at random places of 600 KB of text: every one found at its line and column
        pieces, want, line, column = [], [], 1, 1
        for _ in range(60):
            words = " ".join("w" * secrets.randbelow(9) for _ in range(secrets.randbelow(3000)))
            text = words + ("\n" if secrets.randbelow(2) else " ")
            pieces.append(text)
            line += text.count("\n")
            column = len(text) - text.rfind("\n") if "\n" in text else column + len(text)
            k = make_key("live_", 32 + secrets.randbelow(33))
            want.append((line, column, "live_" + k[5:17] + "..."))
            pieces.append(k + " ")
            column += len(k) + 1
        pieces.append("\n")
        code, out, _ = run("key", "scan", "--json", "-", stdin="".join(pieces))
        value = check_json("key scan of 60 keys --json is JSON", out)
        if value is not None:
            got = [(m["line"], m["column"], m["redacted"]) for m in value]
            check("key scan: 60 keys at random places, every line and column right", code == 1 and got == want,
                  f"{len(got)} found; first difference {next((g, w) for g, w in zip(got + [None] * 60, want) if g != w) if got != want else None}")


def test_key_redact():
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    token = github_token()
    text = f"a {key} b\n{token}\nplain\n"
    expected = f"a {key[:25]}{'*' * (len(key) - 25)} b\n{token[:4]}{'*' * (len(token) - 4)}\nplain\n"
    code, out, err = run("key", "redact", "--prefix", "acme_sk_live_", stdin=text)
    check("key redact masks the secret parts", code == 0 and out == expected and err == "", f"{out!r}")
    check("key redact: no key left", key not in out and token not in out)
    big = ("x" * 100 + "\n") * 700 + key + "\n" + ("y" * 100 + "\n") * 700
    code, out, _ = run("key", "redact", "--prefix", "acme_sk_live_", stdin=big)
    check("key redact: large input, same length, masked", code == 0 and len(out) == len(big) and key not in out
          and out.replace(key[:25] + "*" * (len(key) - 25), key) == big)
    code, out, _ = run("key", "redact", stdin="nothing to hide\n")
    check("key redact: text without keys unchanged", code == 0 and out == "nothing to hide\n")


def test_header_basic_bearer():
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    basic = "Basic " + base64.b64encode((key + ":").encode()).decode()
    code, out, err = run("header", "basic", env={"KEYWARD_API_KEY": key})
    check("header basic from KEYWARD_API_KEY", code == 0 and out == basic + "\n" and err == "", f"{out!r} {err!r}")
    code, out, _ = run("header", "basic", stdin=key + "\n")
    check("header basic from stdin", code == 0 and out == basic + "\n", out)
    code, out, _ = run("header", "basic", "--key-env", "ACME_KEY", env={"ACME_KEY": key})
    check("header basic --key-env", code == 0 and out == basic + "\n", out)
    code, out, _ = run("header", "basic", "--json", env={"KEYWARD_API_KEY": key})
    value = check_json("header basic --json is JSON", out)
    check("header basic --json", value == {"authorization": basic}, out)
    code, out, _ = run("header", "bearer", env={"KEYWARD_API_KEY": key})
    check("header bearer", code == 0 and out == f"Bearer {key}\n", out)
    code, out, _ = run("header", "bearer", "--json", stdin=key + "\r\n")
    value = check_json("header bearer --json is JSON", out)
    check("header bearer --json from stdin (CRLF stripped)", value == {"authorization": f"Bearer {key}"}, out)
    code, out, err = run("header", "bearer", env={"KEYWARD_API_KEY": "ab,cd"})
    check("header bearer: a byte outside b64token (exit 1, at byte 2)", code == 1 and out == "" and one_line(err)
          and "at byte 2" in err, f"exit {code} {err!r}")
    code, out, err = run("header", "basic", env={"KEYWARD_API_KEY": "user:x"})
    check("header basic: a ':' in the key (exit 1)", code == 1 and out == "" and one_line(err), f"exit {code} {err!r}")
    code, out, err = run("header", "bearer", env={"KEYWARD_API_KEY": "<your API key>"})
    check("header bearer: a placeholder (exit 1)", code == 1 and "placeholder" in err and one_line(err), err)
    code, out, err = run("header", "bearer", env={"KEYWARD_API_KEY": key + " "})
    check("header bearer: trailing space (exit 1)", code == 1 and one_line(err) and key not in err, err)
    code, _, err = run("header", "bearer", env={"KEYWARD_API_KEY": ""})
    check("header bearer: empty variable is a usage error", code == 2 and one_line(err), err)


def test_header_parse():
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    basic = "Basic " + base64.b64encode((key + ":").encode()).decode()
    code, out, err = run("header", "parse", basic, "--json")
    value = check_json("header parse Basic --json is JSON", out)
    check("header parse Basic with a key: user redacted, empty password", code == 0 and value is not None
          and value.get("kind") == "credentials" and value.get("scheme") == "Basic"
          and value.get("user", "").startswith("acme_sk_live_" + key[13:25] + "...")
          and value.get("password_empty") is True and key not in out, out)
    user_pass = "Basic " + base64.b64encode(b"alice:s3cr3tZ").decode()
    code, out, _ = run("header", "parse", user_pass)
    check("header parse Basic user:password: user shown, password not", code == 0 and "alice" in out
          and "s3cr3tZ" not in out and "credentials" in out, out)
    code, out, _ = run("header", "parse", f"Authorization: Bearer {key}")
    check("header parse Bearer: token redacted", code == 0 and "Bearer" in out and key not in out
          and "acme_sk_live_" + key[13:25] + "..." in out, out)
    code, out, _ = run("header", "parse", "Bearer " + "Zm9v" * 10)
    check("header parse Bearer: other token not shown", code == 0 and "Zm9v" not in out and "40 bytes" in out, out)
    challenge = 'Bearer realm="acme-api", error="invalid_token", Basic realm="x y", charset="UTF-8"'
    code, out, _ = run("header", "parse", "--json", challenge)
    value = check_json("header parse challenges --json is JSON", out)
    want = {"kind": "challenge", "challenges": [
        {"scheme": "Bearer", "token68": None, "token68_length": None, "params": [{"name": "realm", "value": "acme-api", "quoted": True},
                                                         {"name": "error", "value": "invalid_token", "quoted": True}]},
        {"scheme": "Basic", "token68": None, "token68_length": None, "params": [{"name": "realm", "value": "x y", "quoted": True},
                                                        {"name": "charset", "value": "UTF-8", "quoted": True}]}]}
    check("header parse: two challenges and their parameters", code == 0 and value == want, out)
    code, out, _ = run("header", "parse", 'Bearer realm="acme-api"')
    check("header parse: a Bearer value with auth-params is a challenge", code == 0 and "challenge" in out, out)
    code, out, _ = run("header", "parse", "--as", "credentials", 'Bearer realm="acme-api"')
    check("header parse --as credentials: a Bearer challenge is no Bearer credentials", code == 1, out)
    code, out, _ = run("header", "parse", "-", stdin='WWW-Authenticate: Basic realm="a\\"b"\n')
    check("header parse -: field name, quoted-pair resolved", code == 0 and 'realm = "a\\"b"' in out, out)
    code, out, _ = run("header", "parse", "--json", 'Digest username="u", response="r"')
    value = check_json("header parse Digest --json is JSON", out)
    check("header parse: other scheme's parameter names and value lengths only", value is not None
          and value.get("scheme") == "Digest" and value.get("params") == [
              {"name": "username", "value_length": 1, "quoted": True},
              {"name": "response", "value_length": 1, "quoted": True}], out)
    # errors: the caret under the offending byte, the reason on stderr
    # the echoed value is masked after the scheme (structure kept, the offending byte shown only when it
    # belongs to no token or quoted value)
    cases = [
        ("Basic dXNl*jpwYXNz", 10, "Basic ************"),              # a byte outside base64 (a tchar: masked)
        ("Bearer abc def", "Bearer abc def".index("def"), "Bearer *** ***"),  # a second word
        ('WWW-Authenticate: Bearer realm="x", realm="y"', 'WWW-Authenticate: Bearer realm="x", realm="y"'.rindex("realm"),
         'WWW-Authenticate: Bearer *****="*", *****="*"'),
        ("Bearer a\x01b", 8, "Bearer *.*"),                              # a control character, shown as '.'
        ("Bearer ab;cd", 9, "Bearer **;**"),                            # a separator: shown
    ]
    for value_text, at, shown in cases:
        code, out, err = run("header", "parse", value_text)
        check(f"header parse error caret at byte {at}: {shown!r}",
              code == 1 and out == f"{shown}\n{' ' * at}^\n" and one_line(err) and err.rstrip().endswith(f"at byte {at}"),
              f"exit {code} stdout {out!r} stderr {err!r}")
    code, out, err = run("header", "parse", "--json", "Bearer abc def")
    check("header parse error --json: nothing on stdout, the offset on stderr", code == 1 and out == ""
          and one_line(err) and "at byte 11" in err, f"{out!r} {err!r}")
    code, out, err = run("header", "parse", "   ")
    check("header parse: empty value (exit 1, reason without a byte)", code == 1 and one_line(err) and "empty" in err,
          f"{out!r} {err!r}")


def test_secrets_not_echoed():
    """header parse never prints a credential whole: not in the echoed line of an error, not as a challenge's
    token68, not as another scheme's parameter value."""
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    redacted = "acme_sk_live_" + key[13:25] + "..."
    secret_b64 = base64.b64encode(b"alice:s3cret").decode()  # YWxpY2U6czNjcmV0
    value = f"Basic {secret_b64}!"
    code, out, err = run("header", "parse", value)
    check("secrets: Basic error echo masks the credentials, caret aligned",
          code == 1 and out == f"Basic {'*' * (len(secret_b64) + 1)}\n{' ' * (len(value) - 1)}^\n"
          and secret_b64[:8] not in out + err, f"{out!r} {err!r}")
    value = f"Bearer {key} x"
    code, out, err = run("header", "parse", value)
    check("secrets: Bearer error echo masks the key", code == 1 and key not in out + err and key[13:25] not in out
          and out.startswith("Bearer " + "*" * len(key) + " *\n"), f"{out!r} {err!r}")
    for name, args in [("a trailing comma read as a challenge", ["--json", f"Bearer {key},"]),
                       ("--as challenge", ["--as", "challenge", f"Bearer {key}"]),
                       ("a WWW-Authenticate field", [f"WWW-Authenticate: Bearer {key}"])]:
        code, out, err = run("header", "parse", *args)
        check(f"secrets: challenge token68 redacted ({name})", code == 0 and key not in out + err
              and key[25:] not in out and redacted in out, f"{out!r} {err!r}")
    code, out, _ = run("header", "parse", "--json", f"Bearer {key},")
    value = check_json("secrets: challenge --json is JSON", out)
    if value:
        check("secrets: challenge --json token68 redacted and its length",
              value["challenges"][0]["token68"].startswith(redacted)
              and value["challenges"][0]["token68_length"] == len(key), out)
    code, out, _ = run("header", "parse", "WWW-Authenticate: Bearer " + "Zm9vYmFy" * 4)
    check("secrets: other challenge token68: its length only", code == 0 and "Zm9vYmFy" not in out
          and "32 bytes" in out, out)
    code, out, _ = run("header", "parse", f'Token token="{key}"')
    check("secrets: Token token=KEY: the value not shown", code == 0 and key not in out and key[25:] not in out
          and "token = [" in out, out)
    code, out, _ = run("header", "parse", 'Digest username="bob", response="6629fae49393a05397450978507c4ef1"')
    check("secrets: Digest response not shown", code == 0 and "6629fae4" not in out and "32 bytes" in out, out)
    code, out, _ = run("header", "parse", f'Bearer realm="x", key_hint="{key}"')
    check("secrets: a challenge parameter holding a key is redacted", code == 0 and key not in out
          and redacted in out and 'realm = "x"' in out, out)


def test_inspect_inference():
    """key inspect infers a prefix only for a key of keyward's exact shape that parses."""
    for secret in ["correct-horse-battery-staple-", "db_password_hunter2", "x-" + "A" * 49,
                   "abc_" + "".join(secrets.choice(BASE62) for _ in range(56))]:
        code, out, err = run("key", "inspect", "--json", secret)
        check(f"inspect inference: {secret[:12]}... --json: exit 1, nothing printed", code == 1 and out == ""
              and secret not in err and secret[:3] not in err, f"{out!r} {err!r}")
        code, out, err = run("key", "inspect", secret)
        check(f"inspect inference: {secret[:12]}...: unknown prefix, redaction ...", code == 1
              and "redacted:     ...\n" in out and "prefix:       unknown" in out and secret[:3] not in out,
              f"{out!r}")
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    changed = key[:30] + ("A" if key[30] != "A" else "B") + key[31:]
    code, out, _ = run("key", "inspect", changed)
    check("inspect inference: a custom-prefix key with a bad checksum shows no prefix", code == 1
          and "acme" not in out and "redacted:     ...\n" in out, out)
    code, out, _ = run("key", "inspect", "--json", key)
    value = check_json("inspect inference: a valid custom-prefix key --json", out)
    if value:
        check("inspect inference: a valid key's prefix inferred", code == 0 and value["prefix"] == "acme_sk_live_"
              and value["prefix_origin"] == "inferred", out)


def test_stdin_and_options():
    """Exit codes of stdin reads, repeated options, empty variable names, --key-only with --json."""
    long_line = "A" * (70 * 1024) + "\n"
    code, out, err = run("key", "inspect", "-", stdin=long_line)
    check("stdin: key inspect - over-long line: exit 1", code == 1 and out == "" and one_line(err), f"exit {code}")
    code, out, err = run("header", "parse", "-", stdin=long_line)
    check("stdin: header parse - over-long line: exit 1", code == 1 and out == "" and one_line(err), f"exit {code}")
    check_usage("stdin: header parse - empty stdin: exit 2", "header", "parse", "-")
    check_usage("stdin: key inspect - unreadable stdin: exit 2", "key", "inspect", "-", stdin=UNREADABLE)
    check_usage("stdin: header parse - unreadable stdin: exit 2", "header", "parse", "-", stdin=UNREADABLE)
    check_usage("stdin: header bearer unreadable stdin: exit 2", "header", "bearer", stdin=UNREADABLE)
    check_usage("stdin: key redact unreadable stdin: exit 2", "key", "redact", stdin=UNREADABLE)
    check_usage("stdin: key scan - unreadable stdin: exit 2", "key", "scan", "-", stdin=UNREADABLE)
    check_usage("options: key new --key-only --json", "key", "new", "--prefix", "a_", "--key-only", "--json")
    check_usage("options: key new --prefix twice", "key", "new", "--prefix", "a_", "--prefix", "b_")
    check_usage("options: header parse --as twice", "header", "parse", "--as", "credentials", "--as",
                "credentials", "Bearer x")
    check_usage("options: key new --secret-env empty", "key", "new", "--prefix", "a_", "--secret-env", "",
                env={"KEYWARD_PEPPER": PEPPER})
    check_usage("options: header bearer --key-env empty", "header", "bearer", "--key-env", "", stdin="k\n")
    check_usage("options: key new --pepper-version 2^32", "key", "new", "--prefix", "a_", "--pepper-version",
                "4294967296")
    check_usage("options: key new --pepper-version -1", "key", "new", "--prefix", "a_", "--pepper-version", "-1")
    check_usage("options: key new --secret-length +40", "key", "new", "--prefix", "a_", "--secret-length", "+40")
    a = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    b = run("key", "new", "--prefix", "acme_sk_test_", "--key-only")[1].strip()
    code, out, _ = run("key", "inspect", "--prefix", "acme_sk_live_", "--prefix", "acme_sk_test_", "--json", b)
    value = check_json("options: key inspect --prefix repeated", out)
    check("options: key inspect --prefix repeated: the second one used", code == 0 and value is not None
          and value["prefix_origin"] == "--prefix" and value["environment"] == "test", out)
    code, out, _ = run("key", "redact", "--prefix", "acme_sk_live_", "--prefix", "acme_sk_test_",
                       stdin=f"{a} {b}\n")
    check("options: key redact --prefix repeated masks both", code == 0 and a not in out and b not in out
          and out.count("*" * 30) == 2, out)
    code, out, _ = run("key", "new", "--prefix", "sk_live_", "--json")
    value = check_json("key new --prefix sk_live_ --json", out)
    if value:
        code, out2, _ = run("key", "inspect", "--json", value["key"])
        seen = check_json("key inspect of a new sk_live_ key", out2)
        check("key new and key inspect agree on a built-in prefix", seen is not None
              and (value["vendor"], value["kind"], value["environment"]) == ("stripe", "secret", "live")
              and (seen["vendor"], seen["kind"], seen["environment"]) == ("stripe", "secret", "live"),
              f"{out} {out2}")
    code, out, _ = run("key", "help")
    check("key help lists the sub-verbs", code == 0 and out.startswith("usage: keyward key"), out)


def test_scan_names_and_custom_prefixes():
    """Control bytes of file names are escaped; the --prefix remedy for custom prefixes is documented."""
    key = run("key", "new", "--prefix", "acme_sk_live_", "--key-only")[1].strip()
    token = github_token()
    with tempfile.TemporaryDirectory() as d:
        name = os.path.join(d, "evil\n\x1b[31mname.log")
        with open(name, "w") as f:
            f.write(token + "\n")
        code, out, err = run("key", "scan", name)
        check("scan: a file name's control bytes as \\xNN", code == 1 and "\x1b" not in out and "\\x1b" in out
              and "\\x0a" in out and one_line(out), repr(out))
        code, out, err = run("key", "scan", os.path.join(d, "missing\x1b.log"))
        check("scan: an unreadable file's name escaped too", code == 2 and "\x1b" not in err and "\\x1b" in err
              and one_line(err), repr(err))
    for verb in ["scan", "redact"]:
        _, out, _ = run("key", verb, "--help")
        check(f"key {verb} --help says custom prefixes need --prefix", "acme_sk_live_" in out
              and "without --prefix" in out, out)
    code, out, _ = run("key", "redact", stdin=f"{key}\n")
    check("key redact without --prefix leaves a custom-prefix key (as documented)", code == 0 and out == f"{key}\n")


def main():
    test_help()
    test_usage_errors()
    test_key_new()
    test_key_inspect()
    test_key_scan()
    test_key_redact()
    test_header_basic_bearer()
    test_header_parse()
    test_secrets_not_echoed()
    test_inspect_inference()
    test_stdin_and_options()
    test_scan_names_and_custom_prefixes()
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
