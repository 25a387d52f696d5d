#!/usr/bin/env python3
"""An independent implementation of keyward's key scanner (include/keyward/keys/scan.hpp), with Python's re
and zlib.crc32, for tests/keys/scan_test.cpp to agree with at test time.

  scan_crosscheck.py FILE     prints one line per key found in FILE: <offset> <length> <public length> <source>

The scanner it models (the C++ test's full_scanner()): keyward-format keys of the acme table (acme_,
acme_sk_live_, acme_sk_test_, x), GitHub and npm tokens (ghp_ gho_ ghu_ ghs_ ghr_ npm_), and the four
Stripe patterns (sk_live_ sk_test_ rk_live_ rk_test_ + 24..99 base62). Rules, from the header's comment: a
match starts where a prefix begins and no byte of [A-Za-z0-9_-] precedes; its body is the longest run of
base62 after the prefix; a keyward key of the longest prefix needs 50..82 body bytes and a valid CRC-32
checksum (zlib.crc32 of everything before the last 6 bytes, as 6 base62 digits), a token exactly 36 bytes
and the CRC-32 of its first 30 in the last 6, a pattern 24..99 bytes; the sources are tried in that order.
Sources print as 0 (keyward key), 1 (leaked token), 2 (pattern). Offsets are byte offsets (latin-1).
"""
import re
import sys
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEYWARD = ["acme_", "acme_sk_live_", "acme_sk_test_", "x"]
TOKENS = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "npm_"]
PATTERNS = ["sk_live_", "sk_test_", "rk_live_", "rk_test_"]
BOUNDARY = re.compile(r"(?<![A-Za-z0-9_-])")
RUN = re.compile(r"[0-9A-Za-z]*")


def base62_6(value):
    digits = []
    for _ in range(6):
        digits.append(ALPHABET[value % 62])
        value //= 62
    return "".join(reversed(digits))


def longest(prefixes, text, at):
    best = None
    for p in prefixes:
        if text.startswith(p, at) and (best is None or len(p) > len(best)):
            best = p
    return best


def scan(text):
    found = []
    for boundary in BOUNDARY.finditer(text):
        s = boundary.start()
        if s == len(text):
            break
        p = longest(KEYWARD, text, s)
        if p is not None:
            run = len(RUN.match(text, s + len(p)).group())
            end = s + len(p) + run
            if 50 <= run <= 82 and base62_6(zlib.crc32(text[s:end - 6].encode("latin-1"))) == text[end - 6:end]:
                found.append((s, len(p) + run, len(p) + 12, 0))
                continue
        p = longest(TOKENS, text, s)
        if p is not None and p != "github_pat_":
            body = s + len(p)
            if len(RUN.match(text, body).group()) == 36 and \
                    base62_6(zlib.crc32(text[body:body + 30].encode("latin-1"))) == text[body + 30:body + 36]:
                found.append((s, len(p) + 36, len(p), 1))
                continue
        for p in PATTERNS:
            if text.startswith(p, s):
                run = len(RUN.match(text, s + len(p)).group())
                if 24 <= run <= 99:
                    found.append((s, len(p) + run, len(p), 2))
                    break
    return found


def main():
    with open(sys.argv[1], "rb") as f:
        text = f.read().decode("latin-1")
    for match in scan(text):
        print(*match)


if __name__ == "__main__":
    main()
