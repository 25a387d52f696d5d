#!/usr/bin/env python3
"""Cross-check keyward's Base64 against Python's base64/binascii modules, an independent implementation.

Encoding must match byte for byte. For decoding, Python's strict mode (binascii.a2b_base64(strict_mode=True))
plus a canonical re-encoding check is the oracle: keyward must accept exactly the inputs that Python accepts
and that re-encode to themselves (Python tolerates excess '=' and non-zero trailing bits; keyward must not),
with the same bytes, and must reject everything else with an offset inside the input.
Usage: base64_crosscheck.py PATH_TO_base64_tool   (KEYWARD_TEST_ISA picks the kernel; exit 77 when this
CPU or build lacks it, which meson reports as skipped)
"""
import base64
import binascii
import random
import subprocess
import sys

TOOL = sys.argv[1]
STANDARD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
failures = 0


SKIPPED = 77  # the tool's (and meson's) code for "this kernel is not available here"


def run(mode, alphabet, pad, inputs):
    feed = "".join(x.hex() + "\n" for x in inputs).encode()
    out = subprocess.run([TOOL, mode, alphabet, pad, "reject"], input=feed, capture_output=True)
    if out.returncode == SKIPPED:
        print(out.stdout.decode().strip())
        sys.exit(SKIPPED)
    out.check_returncode()
    lines = out.stdout.decode().split("\n")[: len(inputs)]
    assert len(lines) == len(inputs), "tool output is short"
    return lines


def python_encode(data, alphabet, pad):
    text = base64.urlsafe_b64encode(data) if alphabet == "url" else base64.b64encode(data)
    return text.rstrip(b"=") if pad == "forbidden" else text


def python_decode(text, alphabet, pad):
    """The bytes that a strict, canonical decoder must produce, or None when it must reject."""
    if alphabet == "url":
        if any(c in b"+/" for c in text):
            return None
        std = text.translate(bytes.maketrans(b"-_", b"+/"))
    else:
        std = text
    if b"=" in std:
        if pad == "forbidden":
            return None
        candidate = std
    else:
        if pad == "required" and len(std) % 4:
            return None
        candidate = std + b"=" * (-len(std) % 4)
    try:
        data = binascii.a2b_base64(candidate, strict_mode=True)
    except (binascii.Error, ValueError):
        return None
    # Canonical: the text is exactly what an encoder with these options would produce.
    expected = base64.b64encode(data)
    if b"=" not in std and pad != "required":
        expected = expected.rstrip(b"=")
    return data if expected == std else None


def check(what, ok):
    global failures
    if not ok:
        failures += 1
        if failures <= 20:
            print("FAIL", what)


rng = random.Random(4648)
lengths = list(range(0, 600)) + [1000, 4095, 4096, 4097, 65536 + 1]
datas = [bytes(rng.getrandbits(8) for _ in range(n)) for n in lengths]
modes = [(a, p) for a in ("standard", "url") for p in ("required", "optional", "forbidden")]

for alphabet, pad in modes:
    got = run("encode", alphabet, pad, datas)
    for data, line in zip(datas, got):
        check(f"encode {alphabet} {pad} len {len(data)}", line.encode() == python_encode(data, alphabet, pad))

# Decoding: valid texts, and texts mutated in every way the grammar cares about.
for alphabet, pad in modes:
    chars = URL if alphabet == "url" else STANDARD
    texts = []
    for data in datas[:300]:
        good = python_encode(data, alphabet, pad if pad != "optional" else rng.choice(["required", "forbidden"]))
        texts.append(good)
        for _ in range(4):
            t = bytearray(good)
            kind = rng.randrange(6)
            if kind == 0 and t:
                t[rng.randrange(len(t))] = rng.randrange(256)
            elif kind == 1:
                t.insert(rng.randrange(len(t) + 1), ord("="))
            elif kind == 2 and t:
                del t[rng.randrange(len(t))]
            elif kind == 3 and t:
                t[-1] = rng.choice(chars)
            elif kind == 4:
                t += rng.choice([b"=", b"==", b"A", b"AA", b" ", b"\n", b"+", b"-"])
            else:
                t = bytearray(rng.choice(chars + b"=") for _ in range(rng.randrange(12)))
            texts.append(bytes(t))
    got = run("decode", alphabet, pad, texts)
    for text, line in zip(texts, got):
        expected = python_decode(text, alphabet, pad)
        if expected is None:
            parts = line.split()
            check(f"decode {alphabet} {pad} must reject {text!r}: {line}",
                  parts[0] == "err" and 0 <= int(parts[2]) <= len(text))
        else:
            check(f"decode {alphabet} {pad} {text!r}: {line}", line == "ok " + expected.hex())

print(f"base64 cross-check against Python {sys.version.split()[0]}: {failures} failures")
sys.exit(1 if failures else 0)
