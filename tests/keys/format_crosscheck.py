#!/usr/bin/env python3
"""Vectors for keyward's own key format, computed with Python's zlib.crc32 and a base62 encoder written here,
independently of keyward's C++ code.

Format (include/keyward/keys/format.hpp): <prefix><id: 12 base62><secret: 32..64 base62><checksum: 6 base62>;
checksum = zlib.crc32 of every byte before it (prefix included), base62 0-9A-Za-z, most significant digit
first, left-padded with '0' to 6. The expected verdict of every line comes from validate() below.

  format_crosscheck.py generate        prints the vector file (deterministic: a fixed seed)
  format_crosscheck.py check FILE      exits 1 unless FILE is exactly what `generate` prints

The committed file tests/vectors/keys/keyward_format.txt is the output of
  python3 tests/keys/format_crosscheck.py generate > tests/vectors/keys/keyward_format.txt
Line format: <table> <expected> <key>, where expected is ok:<prefix length>, unknown_prefix, invalid_length,
invalid_character:<offset in the key> or checksum_mismatch.
"""
import random
import sys
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TABLES = {
    "stripe": ["sk_live_", "sk_test_", "pk_live_", "pk_test_", "rk_live_", "rk_test_", "whsec_"],
    "live_test": ["live_", "test_"],
    # the C++ test defines the same table (acme_prefixes): "acme_" and a longer prefix that begins with it
    "acme": ["acme_", "acme_sk_live_", "acme_sk_test_", "x"],
}


def base62_6(value):
    digits = ""
    for _ in range(6):
        digits = ALPHABET[value % 62] + digits
        value //= 62
    assert value == 0
    return digits


def checksum(text):
    return base62_6(zlib.crc32(text.encode("ascii")))


def validate(table, key):
    matches = [p for p in TABLES[table] if key.startswith(p)]
    if not matches:
        return "unknown_prefix"
    prefix = max(matches, key=len)
    rest = key[len(prefix):]
    if not 12 + 32 + 6 <= len(rest) <= 12 + 64 + 6:
        return "invalid_length"
    for i, c in enumerate(rest):
        if c not in ALPHABET:
            return f"invalid_character:{len(prefix) + i}"
    if checksum(key[:-6]) != key[-6:]:
        return "checksum_mismatch"
    return f"ok:{len(prefix)}"


def make_key(rng, prefix, secret_length):
    body = prefix + "".join(rng.choice(ALPHABET) for _ in range(12 + secret_length))
    return body + checksum(body)


def generate():
    rng = random.Random(20261204)
    lines = []

    def add(table, key):
        assert " " not in key and "\n" not in key
        lines.append(f"{table} {validate(table, key)} {key}")

    valid = []
    for table, prefixes in TABLES.items():
        for prefix in prefixes:
            for secret_length in (32, 33, 47, 63, 64):
                key = make_key(rng, prefix, secret_length)
                valid.append((table, key))
    # checksums that need left padding (CRC below 62^5: a leading '0'), found by drawing more keys
    padded = 0
    while padded < 4:
        key = make_key(rng, "sk_test_", 32)
        if key[-6] == "0":
            valid.append(("stripe", key))
            padded += 1
    for table, key in valid:
        add(table, key)

    for table, key in valid[::3]:
        prefix_length = int(validate(table, key).split(":")[1])
        # one character changed in the id, the secret and the checksum
        for position in (prefix_length + 3, prefix_length + 12 + 5, len(key) - 1, len(key) - 6):
            old = key[position]
            new = ALPHABET[(ALPHABET.index(old) + 1 + rng.randrange(61)) % 62]
            add(table, key[:position] + new + key[position + 1:])
        # two neighbouring characters swapped in the secret
        i = prefix_length + 20
        if key[i] != key[i + 1]:
            add(table, key[:i] + key[i + 1] + key[i] + key[i + 2:])
        # a byte outside base62 after the prefix
        for bad in "_-.+/=~":
            position = prefix_length + rng.randrange(len(key) - prefix_length)
            add(table, key[:position] + bad + key[position + 1:])
        # lengths: one short, one long, secret of 31 and of 65
        add(table, key[:-1])
        add(table, key + "0")
        body = key[: prefix_length + 12 + 31]
        add(table, body + checksum(body))
        body = key[:-6] + ALPHABET[: 65 - (len(key) - 6 - prefix_length - 12)]
        add(table, body + checksum(body))

    # relabelled: the same id, secret and checksum under another prefix of the same length
    for table, key in valid:
        prefix = key[: int(validate(table, key).split(":")[1])]
        for old, new in (("sk_test_", "sk_live_"), ("pk_live_", "pk_test_"), ("test_", "live_"),
                         ("acme_sk_test_", "acme_sk_live_")):
            if prefix == old:
                add(table, new + key[len(old):])
    # unknown prefixes
    for table, key in valid[:6]:
        add(table, "Z" + key)
        add(table, key.upper() if key.upper() != key else "Q" + key)
    add("stripe", "sk_liv_" + make_key(rng, "", 32))
    add("live_test", "LIVE_" + make_key(rng, "", 32))
    add("stripe", "sk_live")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "generate":
        sys.stdout.write(generate())
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        with open(sys.argv[2], encoding="ascii") as f:
            committed = f.read()
        if committed != generate():
            print(f"{sys.argv[2]} differs from what `format_crosscheck.py generate` prints")
            return 1
        print(f"{sys.argv[2]}: {committed.count(chr(10))} vectors agree with zlib.crc32")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
