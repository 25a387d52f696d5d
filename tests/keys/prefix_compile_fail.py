#!/usr/bin/env python3
"""A malformed constexpr prefix table must fail to compile, naming its problem (keys/prefix.hpp).

Compiles a few small translation units with the C++ compiler given: a well-formed table must compile (so a
broken compiler command cannot pass this test), and each malformed one must fail with the name of the
non-constexpr function make_prefix_table() calls for its problem in the compiler's output.
Usage: prefix_compile_fail.py INCLUDE_DIR COMPILER [COMPILER ARGS...]
"""
import os
import subprocess
import sys
import tempfile

INCLUDE, COMPILER = sys.argv[1], sys.argv[2:]

TEMPLATE = """#include <keyward/keys/prefix.hpp>
using namespace keyward::keys;
constexpr auto table = make_prefix_table({%s});
int main() { return table.classify("acme_x") ? 0 : 1; }
"""


def entry(prefix):
    return '{"%s", "acme", key_kind::secret, key_environment::live}' % prefix


CASES = [
    ("well formed", [entry("acme_"), entry("acme_sk_live_"), entry("a-b_C9")], None),
    ("empty prefix", [entry("acme_"), entry("")], "table_has_empty_prefix"),
    ("same prefix twice", [entry("acme_"), entry("acme_sk_"), entry("acme_")], "table_has_same_prefix_twice"),
    ("byte not allowed", [entry("acme."), entry("acme_")], "table_has_prefix_byte_outside"),
    ("byte not allowed (space)", [entry("acme _")], "table_has_prefix_byte_outside"),
    ("33 bytes", [entry("a" * 33)], "table_has_prefix_longer_than_32_bytes"),
]

failures = 0
with tempfile.TemporaryDirectory() as scratch:
    for name, entries, expected in CASES:
        source = os.path.join(scratch, "table.cpp")
        with open(source, "w") as f:
            f.write(TEMPLATE % ", ".join(entries))
        run = subprocess.run(COMPILER + ["-std=c++17", "-fsyntax-only", "-I" + INCLUDE, source],
                             capture_output=True, text=True)
        output = run.stdout + run.stderr
        if expected is None:
            ok = run.returncode == 0
        else:
            ok = run.returncode != 0 and expected in output
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
        if not ok:
            failures += 1
            print(output[:2000])
    # 32 bytes is the limit, and it is allowed
    with open(os.path.join(scratch, "table.cpp"), "w") as f:
        f.write(TEMPLATE % entry("b" * 32))
    if subprocess.run(COMPILER + ["-std=c++17", "-fsyntax-only", "-I" + INCLUDE,
                                  os.path.join(scratch, "table.cpp")]).returncode != 0:
        print("FAIL a 32-byte prefix must compile")
        failures += 1
sys.exit(1 if failures else 0)
