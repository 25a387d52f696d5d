#!/usr/bin/env python3
"""Cross-check keyward's CRC-32 (include/keyward/detail/crc32*.hpp) against Python's zlib, at test time.

1. Derives every constant of the PCLMULQDQ kernel (crc32_x86.hpp) again from the polynomial with Python's
   integers and checks the header's tables against them.
2. Runs a bit-exact model of that kernel (carry-less products on Python integers standing for the xmm
   registers) and checks it against zlib.crc32 on every length 0..300 and some longer ones.
3. Checks the expected values recorded in tests/keys/crc32_test.cpp (between the "zlib.crc32 begin" and
   "zlib.crc32 end" lines) against zlib.crc32 on the same inputs (the generator below, which the test
   repeats in C++). `--print-table` prints that block, to paste after a change of the inputs.
Usage: crc32_crosscheck.py [--print-table]      (paths are found from this file's location)
"""
import pathlib
import re
import sys
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "keyward" / "detail" / "crc32_x86.hpp"
TEST = ROOT / "tests" / "keys" / "crc32_test.cpp"
M32 = (1 << 32) - 1
M64 = (1 << 64) - 1
P = (1 << 32) | 0x04C11DB7  # x^32 + x^26 + ... + 1, normal (not reflected) form
failures = 0


def check(what, ok):
    global failures
    if not ok:
        failures += 1
        print("FAIL:", what)


# --- polynomials over GF(2) as Python integers (bit i = coefficient of x^i) ---

def pmul(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        a <<= 1
        b >>= 1
    return r


def pdivmod(a, m):
    q, dm = 0, m.bit_length() - 1
    while a and a.bit_length() - 1 >= dm:
        s = a.bit_length() - 1 - dm
        q |= 1 << s
        a ^= m << s
    return q, a


def xpow_mod(n):
    """x^n mod P; for n < 0 the powers of x^-1 = (P + 1) / x, the inverse of x modulo P since P(0) = 1."""
    base, n = (2, n) if n >= 0 else ((P ^ 1) >> 1, -n)
    r = 1
    while n:
        if n & 1:
            r = pdivmod(pmul(r, base), P)[1]
        base = pdivmod(pmul(base, base), P)[1]
        n >>= 1
    return r


def reflect(v, width):
    """The w-bit reflected integer of a polynomial of degree < w: bit k stands for x^(w-1-k)."""
    return int(format(v, "0%db" % width)[::-1], 2)


def k(n):
    """x^n mod P as a 33-bit reflected integer (the 32-bit bit-reversed remainder shifted left by one)."""
    return reflect(xpow_mod(n), 33)


# --- the constants, derived ---

BLOCK = [(k(128 * d + 96), k(128 * d + 32)) for d in range(7)]
FOUR_BLOCKS = (k(4 * 128 + 32), k(4 * 128 - 32))
MU96 = pdivmod(1 << 96, P)[0]
assert MU96 >> 64 == 1
BARRETT = (reflect(MU96 ^ (1 << 64), 65), reflect(P ^ (1 << 32), 33))
assert BARRETT[0] < 1 << 64  # mu's x^0 coefficient is zero, so its 65-bit reflected form fits in a qword
INITIAL = [reflect(pdivmod(pmul(M32, xpow_mod(-8 * z)), P)[1], 32) for z in range(16)]
SHUFFLE = [0x80] * 16 + list(range(16))


def header_table(text, name):
    m = re.search(r"\b%s(?:\[\d+\])+\s*=\s*\{(.*?)\};" % re.escape(name), text, re.S)
    if not m:
        check("table %s not found in %s" % (name, HEADER.name), False)
        return []
    body = re.sub(r"//[^\n]*", "", m.group(1))
    return [int(v.rstrip("uUlL"), 0) for v in re.findall(r"0[xX][0-9a-fA-F]+[uUlL]*|\b\d+\b", body)]


def check_header_constants():
    text = HEADER.read_text()
    check("pclmul_block_constants", header_table(text, "pclmul_block_constants") == [v for row in BLOCK for v in row])
    check("pclmul_four_block_constants", header_table(text, "pclmul_four_block_constants") == list(FOUR_BLOCKS))
    check("pclmul_barrett_constants", header_table(text, "pclmul_barrett_constants") == list(BARRETT))
    check("pclmul_initial_values", header_table(text, "pclmul_initial_values") == INITIAL)
    check("pclmul_head_shuffle", header_table(text, "pclmul_head_shuffle") == SHUFFLE)
    # The initial values do what they are for: z zero bytes from INITIAL[z] leave zlib's 0xFFFFFFFF (zlib's
    # second argument is the previous result, the register XOR 0xFFFFFFFF).
    for z in range(16):
        check("initial value %d" % z, zlib.crc32(bytes(z), INITIAL[z] ^ M32) == 0)


# --- a bit-exact model of compute_pclmul ---

def clmul(a, b):
    return pmul(a & M64, b & M64)


def model(data):
    size = len(data)
    if size == 0:
        return 0
    blocks = (size + 15) // 16
    pad = blocks * 16 - size
    msg = bytes(pad) + data
    block = [int.from_bytes(msg[16 * i:16 * i + 16], "little") for i in range(blocks)]
    block[0] ^= INITIAL[pad]
    pending = block
    if blocks >= 8:
        lanes, i = block[:4], 4
        while blocks - i >= 4:
            lanes = [clmul(v, FOUR_BLOCKS[0]) ^ clmul(v >> 64, FOUR_BLOCKS[1]) ^ block[i + j]
                     for j, v in enumerate(lanes)]
            i += 4
        pending = lanes + block[i:]
    last = pending[-1]
    t = (last >> 64) ^ clmul(last, BLOCK[0][0])
    for j, v in enumerate(pending[:-1]):
        hi, lo = BLOCK[len(pending) - 1 - j]
        t ^= clmul(v, hi) ^ clmul(v >> 64, lo)
    assert t < 1 << 96
    quotient = (clmul(t, BARRETT[0]) & M64) ^ (t & M64)
    return (((t ^ clmul(quotient, BARRETT[1])) >> 64) & M32) ^ M32


# --- the inputs of crc32_test.cpp ---

def generated(length):
    """`length` bytes from xorshift32 seeded with 0x9E3779B9 + length: the top byte of each state."""
    state = (0x9E3779B9 + length) & M32
    out = bytearray()
    for _ in range(length):
        state ^= (state << 13) & M32
        state ^= state >> 17
        state ^= (state << 5) & M32
        out.append(state >> 24)
    return bytes(out)


LONG_LENGTHS = [511, 512, 513, 1000, 4097]


def table_block():
    def rows(values):
        return ["    " + " ".join("0x%08xu," % v for v in values[i:i + 8]) for i in range(0, len(values), 8)]

    lines = ["// zlib.crc32 begin (tests/keys/crc32_crosscheck.py --print-table)",
             "// zlib.crc32(generated(n)) for n = 0..300, then zlib.crc32(bytes(n)) (n zero bytes) for n = 0..300.",
             "constexpr std::uint32_t zlib_generated[301] = {"]
    lines += rows([zlib.crc32(generated(n)) for n in range(301)])
    lines += ["};", "constexpr std::uint32_t zlib_zeros[301] = {"]
    lines += rows([zlib.crc32(bytes(n)) for n in range(301)])
    lines += ["};", "// {n, zlib.crc32(generated(n))} for longer inputs.",
              "constexpr std::uint32_t zlib_generated_long[][2] = {"]
    lines += ["    {%d, 0x%08xu}," % (n, zlib.crc32(generated(n))) for n in LONG_LENGTHS]
    lines += ["};", "// zlib.crc32 end"]
    return "\n".join(lines)


def check_recorded_table():
    text = TEST.read_text()
    m = re.search(r"^// zlib\.crc32 begin.*?^// zlib\.crc32 end$", text, re.S | re.M)
    check("recorded zlib.crc32 block in %s matches zlib" % TEST.name, m is not None and m.group(0) == table_block())


def main():
    if sys.argv[1:] == ["--print-table"]:
        print(table_block())
        return 0
    check_header_constants()
    check("check value", model(b"123456789") == 0xCBF43926 == zlib.crc32(b"123456789"))
    for n in list(range(301)) + [1000, 4096, 4097]:
        for data in (generated(n), bytes(n), b"\xff" * n):
            if model(data) != zlib.crc32(data):
                check("model of compute_pclmul, %d bytes" % n, False)
    check_recorded_table()
    print("crc32 crosscheck: %s" % ("ok" if failures == 0 else "%d failures" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
