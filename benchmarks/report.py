#!/usr/bin/env python3
"""keyward benchmarks: turns the JSON that benchmarks/run.sh writes into the tables of README.md and
docs/benchmarks.md and into SVG charts, so that no figure is typed by hand.

    python3 benchmarks/report.py RESULTS_DIR                   print every table
    python3 benchmarks/report.py RESULTS_DIR --update FILE...  rewrite the generated regions of FILEs
    python3 benchmarks/report.py RESULTS_DIR --check FILE...   PASS/FAIL per region, a diff when one is stale
    python3 benchmarks/report.py RESULTS_DIR --charts DIR      DIR/bench-NAME.svg (needs matplotlib)

A region is every line between `<!-- benchmarks:NAME -->` and `<!-- /benchmarks:NAME -->` (each marker alone
on its line); NAME is one of TABLES below. Figures are the medians over the repetitions (CPU time, or real
time for the benchmarks that measure it: threads, round trips); ratios are peer / keyward in time (keyward's
rate / the peer's for rates): above 1, keyward is faster; below 1 is bold. A benchmark that a table needs and
the JSON lacks stops the script with its name. --check and --update use the standard library only (CI runs
--check with the first python3 on PATH); --charts imports matplotlib, so run it with /usr/bin/python3.
"""

import argparse
import difflib
import json
import os
import re
import statistics
import sys

NS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
KIB = 1024
MIB = 1024 * 1024


class Missing(Exception):
    """A benchmark a table needs is not in the results."""


# ---------------------------------------------------------------------------------------------------------
# Reading the results


class Results:
    """The median rows of every RESULTS_DIR/<run>.json, and machine.json."""

    def __init__(self, directory):
        self.directory = directory
        path = os.path.join(directory, "machine.json")
        if not os.path.exists(path):
            raise Missing(f"{path} not found: run benchmarks/run.sh first")
        with open(path, encoding="utf-8") as f:
            self.machine = json.load(f)
        self.runs = {}  # run -> {benchmark name: median row}
        self.cvs = {}  # (run, name) -> coefficient of variation of the time, when there were repetitions
        for file in sorted(os.listdir(directory)):
            if file.endswith(".json") and file != "machine.json":
                self._load(file[: -len(".json")], os.path.join(directory, file))
        self.used = set()  # (run, name) read since the last reset: the rows of the region being built

    def _load(self, run, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        rows = {}
        plain = {}
        for row in data.get("benchmarks", []):
            if row.get("error_occurred"):
                continue
            name = row.get("run_name", row["name"])
            if row.get("run_type") == "aggregate":
                if row.get("aggregate_name") == "median":
                    rows[name] = row
                elif row.get("aggregate_name") == "cv":
                    self.cvs[(run, name)] = row.get(metric_of(name), 0.0)
            else:
                plain.setdefault(name, []).append(row)
        for name, runs in plain.items():  # a run without repetitions: the median of its rows by time
            if name not in rows:
                rows[name] = sorted(runs, key=lambda r: r.get(metric_of(name), 0.0))[(len(runs) - 1) // 2]
        self.runs[run] = rows

    def row(self, run, name):
        if run not in self.runs:
            raise Missing(f"{run}.json is not in {self.directory} (benchmarks/run.sh writes it)")
        if name not in self.runs[run]:
            raise Missing(f"benchmark '{name}' is not in {run}.json (is its peer installed? see the `meson setup` "
                          "summary of the benchmark build)")
        self.used.add((run, name))
        return self.runs[run][name]

    def has(self, run, name):
        return name in self.runs.get(run, {})

    def ns(self, run, name):
        """Median time per call in ns: real time where the benchmark measures it, else CPU time."""
        row = self.row(run, name)
        return row[metric_of(name)] * NS_PER_UNIT[row.get("time_unit", "ns")]

    def counter(self, run, name, counter):
        row = self.row(run, name)
        if counter not in row:
            raise Missing(f"benchmark '{name}' in {run}.json has no counter '{counter}'")
        return float(row[counter])

    def rate(self, run, name):
        return self.counter(run, name, "items_per_second")

    def kernels(self, run, template):
        """The kernels run on this machine, in the order scalar, avx2, avx512vbmi: template has one {}."""
        return [k for k in ("scalar", "avx2", "avx512vbmi") if self.has(run, template.format(k))]


def metric_of(name):
    return "real_time" if "/real_time" in name else "cpu_time"


# ---------------------------------------------------------------------------------------------------------
# Formatting


def three_digits(value):
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ns(ns):
    for unit, scale in (("ns", 1.0), ("µs", 1e3), ("ms", 1e6)):
        if ns < 999.5 * scale:
            return f"{three_digits(ns / scale)} {unit}"
    return f"{three_digits(ns / 1e9)} s"


def fmt_bytes_rate(per_second):
    if per_second >= 999.5e6:
        return f"{three_digits(per_second / 1e9)} GB/s"
    return f"{three_digits(per_second / 1e6)} MB/s"


def fmt_rate(per_second):
    if per_second >= 999.5e3:
        return f"{three_digits(per_second / 1e6)} M/s"
    if per_second >= 999.5:
        return f"{three_digits(per_second / 1e3)} k/s"
    return f"{three_digits(per_second)} /s"


def fmt_ratio(ratio):
    text = f"{three_digits(ratio)}x"
    return f"**{text}**" if ratio < 1 else text


def with_ratio(text, ratio):
    return f"{text} ({fmt_ratio(ratio)})"


def size_label(size):
    if size == "mix":
        return "16-256 B mix"
    size = int(size)
    if size >= MIB:
        return f"{size // MIB} MiB"
    if size >= KIB:
        return f"{size // KIB} KiB"
    return f"{size} B"


def table(header, rows, right_from=1):
    """A Markdown table; the columns from right_from on are right-aligned."""
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# The tables. Each returns Markdown; the region adds the header line and the noise line.

BASE64_PEERS = [("OpenSSL", "openssl"), ("libsodium", "sodium"), ("Boost.Beast", "beast")]
BASE64_SIZES = ["16", "32", "64", "128", "256", "1024", "65536", "1048576", "mix"]
CT_SIZES = ["16", "32", "64", "256", "1024", "mix"]


def base64_table(r):
    kernels = r.kernels("base64", "encode/keyward-{}/16")
    header = ["operation", "size", "keyward"] + [p for p, _ in BASE64_PEERS] + [f"keyward `{k}`" for k in kernels]
    rows = []
    for op in ("encode", "decode"):
        for size in BASE64_SIZES:
            ours = r.ns("base64", f"{op}/keyward/{size}")
            cells = [op, size_label(size), fmt_ns(ours)]
            for _, lib in BASE64_PEERS:
                peer = r.ns("base64", f"{op}/{lib}/{size}")
                cells.append(with_ratio(fmt_ns(peer), peer / ours))
            cells += [fmt_ns(r.ns("base64", f"{op}/keyward-{k}/{size}")) for k in kernels]
            rows.append(cells)
    text = [
        "Time per call (pools of distinct random inputs); `keyward` is the kernel that run-time dispatch picks, "
        "`keyward <kernel>` one kernel forced. In parentheses: the peer's time over keyward's.",
        "",
        table(header, rows, right_from=2),
        "",
    ]
    speeds = []
    for op in ("encode", "decode"):
        at = [fmt_bytes_rate(r.counter("base64", f"{op}/keyward/{s}", "bytes_per_second"))
              for s in ("65536", "1048576")]
        speeds.append(f"{op} {at[0]} at 64 KiB and {at[1]} at 1 MiB")
    text.append("keyward's throughput (raw bytes, GB = 10^9 bytes): " + "; ".join(speeds) + ".")
    text += ["", "The cost of `base64::standard_ct` (`timing::constant`, for secrets) over `base64::standard`, "
             "per kernel (in parentheses: constant time / default):", ""]
    variants = [("dispatch", "keyward", "keyward-ct")]
    variants += [(f"`{k}`", f"keyward-{k}", f"keyward-ct-{k}") for k in kernels]
    header = ["operation", "size"]
    for label, _, _ in variants:
        header += [f"{label}", f"{label}, constant time"]
    rows = []
    for op in ("encode", "decode"):
        for size in CT_SIZES:
            cells = [op, size_label(size)]
            for _, fast, ct in variants:
                a = r.ns("base64", f"{op}/{fast}/{size}")
                b = r.ns("base64", f"{op}/{ct}/{size}")
                cells += [fmt_ns(a), f"{fmt_ns(b)} ({three_digits(b / a)}x)"]
            rows.append(cells)
    text.append(table(header, rows, right_from=2))
    return "\n".join(text)


def crypto_table(r):
    def hash_cell(name, size, ours=None):
        ns = r.ns("crypto", name)
        text = fmt_ns(ns)
        if size >= 65536:
            text += f", {fmt_bytes_rate(size * 1e9 / ns)}"
        return with_ratio(text, ns / ours) if ours else text

    columns = [("keyward, `scalar`", "keyward_scalar"), ("keyward, `avx2`", "keyward_avx2"),
               ("OpenSSL EVP, reused context", "openssl_evp"), ("OpenSSL one-shot", "openssl_oneshot"),
               ("libsodium", "sodium")]
    peers = {"openssl_evp", "openssl_oneshot", "sodium"}
    rows = []
    for algorithm, label in (("sha256", "SHA-256"), ("sha384", "SHA-384"), ("sha512", "SHA-512")):
        for size in (64, 1024, MIB):
            ours = r.ns("crypto", f"{algorithm}/keyward/{size}")
            cells = [f"{label}, {size_label(size)}", hash_cell(f"{algorithm}/keyward/{size}", size)]
            for _, lib in columns:
                name = f"{algorithm}/{lib}/{size}"
                # Only these exist: SHA-384 has no forced kernels and no one-shot or libsodium row.
                expected = not (algorithm == "sha384" and lib != "openssl_evp") and not (
                    algorithm == "sha256" and lib == "keyward_avx2")
                cells.append(hash_cell(name, size, ours if lib in peers else None) if expected else "")
            rows.append(cells)
    text = ["Time per call (1 MiB: also the throughput, GB = 10^9 bytes); keyward's `scalar` and `avx2` are "
            "kernels forced. In parentheses: the peer's time over keyward's.", "",
            table(["case", "keyward"] + [c for c, _ in columns], rows), ""]

    def cell(name, ours=None):
        ns = r.ns("crypto", name)
        return with_ratio(fmt_ns(ns), ns / ours) if ours else fmt_ns(ns)

    p256 = r.ns("crypto", "hmac_sha256/keyward/prepared/300")
    s256 = r.ns("crypto", "hmac_sha256/keyward/scratch/300")
    p512 = r.ns("crypto", "hmac_sha512/keyward/prepared/300")
    rows = [
        ["HMAC-SHA256, 300 B, prepared key", fmt_ns(p256), cell("hmac_sha256/keyward_scalar/prepared/300"),
         cell("hmac_sha256/openssl_evp_mac/prepared/300", p256) + " `EVP_MAC`",
         cell("hmac_sha256/sodium/prepared/300", p256)],
        ["HMAC-SHA256, 300 B, from the key", fmt_ns(s256), "",
         cell("hmac_sha256/openssl_oneshot/scratch/300", s256) + " `HMAC()`",
         cell("hmac_sha256/sodium/scratch/300", s256)],
        ["HMAC-SHA512, 300 B, prepared key", fmt_ns(p512), cell("hmac_sha512/keyward_scalar/prepared/300"),
         cell("hmac_sha512/openssl_evp_mac/prepared/300", p512) + " `EVP_MAC`", ""],
    ]
    text += [table(["case", "keyward", "keyward, `scalar`", "OpenSSL", "libsodium"], rows), ""]
    rows = []
    for size in (16, 32, 64):
        ours = r.ns("crypto", f"equal/keyward_ct/{size}")
        rows.append([f"{size} B", fmt_ns(ours)] + [cell(f"equal/{lib}/{size}", ours)
                                                   for lib in ("memcmp", "CRYPTO_memcmp", "sodium_memcmp")])
    text += ["Comparing equal buffers (the whole length is read):", "",
             table(["size", "`ct::equal`", "`memcmp` (not constant time)", "OpenSSL `CRYPTO_memcmp`",
                    "`sodium_memcmp`"], rows)]
    return "\n".join(text)


def http_table(r):
    def cell(name, ours=None):
        ns = r.ns("http", name)
        text = f"{fmt_ns(ns)} ({r.counter('http', name, 'allocs'):.0f})"
        return f"{text}, {fmt_ratio(ns / ours)}" if ours else text

    # operation, case, label, then for keyward-string, poco, poco-authinfo, httplib: True (a row to show), or
    # the text of the cell (empty where the library has no such case).
    no = "no parser"
    cases = [
        ("parse_basic", "apikey", "parse Basic, API key as user-id (`sk_live_` + 24)", "", True, True, no),
        ("parse_bearer", "token40", "parse Bearer, 40-character token", "", True, "", no),
        ("parse_bearer", "jwt300", "parse Bearer, 300-byte JWT", "", True, "", no),
        ("build_basic", "apikey", "build Basic, API key", True, True, "", True),
        ("build_bearer", "token40", "build Bearer, 40 characters", True, True, "", True),
        ("build_bearer", "jwt300", "build Bearer, 300-byte JWT", True, True, "", True),
        ("parse_challenges", "basic", 'parse and visit `Basic realm="…", charset="UTF-8"`', "", True, True, no),
        ("parse_challenges", "three", "parse and visit three challenges (Basic, Bearer with error fields, Newauth)",
         "", "cannot parse", True, no),
        ("parse_challenges_only", "three", "parse the three challenges without visiting them", "", "", "", ""),
        ("parse_challenges", "hostile8k", "parse and visit a hostile 7.7 KB challenge list (16 x 32 auth-params)",
         "", "", "", ""),
        ("parse_challenges_only", "hostile8k", "parse the hostile list without visiting it", "", "", "", ""),
        ("parse_challenges", "ceiling256", "parse and visit one challenge of 256 auth-params", "", "", "", ""),
        ("parse_bearer", "hostile8k_length", "parse Bearer, as long as the hostile list", "", "", "", ""),
    ]
    rows = []
    for op, case, label, string, poco, authinfo, httplib in cases:
        ours = r.ns("http", f"{op}/keyward/{case}")
        cells = [label, cell(f"{op}/keyward/{case}")]
        cells.append(cell(f"{op}/keyward-string/{case}") if string is True else string)
        for lib, shown in (("poco", poco), ("poco-authinfo", authinfo), ("httplib", httplib)):
            cells.append(cell(f"{op}/{lib}/{case}", ours) if shown is True else shown)
        rows.append(cells)
    bearer = r.ns("http", "parse_bearer/keyward/hostile8k_length")
    hostile_parse = r.ns("http", "parse_challenges_only/keyward/hostile8k") / bearer
    hostile_visit = r.ns("http", "parse_challenges/keyward/hostile8k") / bearer
    return "\n".join([
        "Time per call over pools of distinct inputs; in parentheses, allocations per call; then the peer's time "
        "over keyward's (builders: over keyward's buffer form). Poco reads the value from an `HTTPRequest`; "
        "\"authInfo only\" is handed the text without the scheme (a lower bound for Poco): the Base64 text, or "
        "each challenge's auth-params split apart beforehand, since Poco reads one challenge a value.",
        "",
        table(["case", "keyward", "keyward, `std::string`", "Poco", "Poco, authInfo only", "cpp-httplib"], rows),
        "",
        f"Parsing the hostile challenge list costs {three_digits(hostile_parse)}x parsing a Bearer value of the "
        f"same length; parsing and visiting it, {three_digits(hostile_visit)}x.",
    ])


def jwt_table(r):
    rows = []
    for op, label in (("verify_hs256", "verify HS256, claims checked"),
                      ("verify_hs512", "verify HS512, claims checked"), ("sign_hs256", "sign HS256")):
        ours = r.ns("jwt", f"{op}/keyward")
        cells = [label, fmt_ns(ours)]
        for lib in ("libjwt", "cpp-jwt"):
            peer = r.ns("jwt", f"{op}/{lib}")
            cells.append(with_ratio(fmt_ns(peer), peer / ours))
        floor = r.ns("jwt", f"{op}/openssl_hmac_floor") if op == "verify_hs256" else None
        cells.append(with_ratio(fmt_ns(floor), floor / ours) if floor else "")
        rows.append(cells)
    verify = r.ns("jwt", "webhook_verify_1KiB/keyward")
    bare = r.ns("jwt", "webhook_verify_1KiB/bare_hmac_sha256_keyward")
    openssl = r.ns("jwt", "webhook_verify_1KiB/bare_hmac_sha256_openssl")
    webhook_rows = [
        ["Standard Webhooks verify, 1 KiB body (keyward)", fmt_ns(verify), ""],
        ["HMAC-SHA256 of the body alone, keyward (prepared key)", fmt_ns(bare), fmt_ratio(bare / verify)],
        ["HMAC-SHA256 of the body alone, OpenSSL `HMAC()`", fmt_ns(openssl), fmt_ratio(openssl / verify)],
    ]
    return "\n".join([
        "A 332-byte HS256 access token (iss, sub, aud, exp, nbf, iat, jti, scope); every library checks the "
        "signature, `exp`/`nbf`, the issuer and the audience (libjwt checks only the signature: its row adds the "
        "claim checks its users write). OpenSSL's `HMAC()` of the signing input alone is the floor of any HS256 "
        "verifier that calls it. In parentheses: the peer's time over keyward's.",
        "",
        table(["case", "keyward", "libjwt", "cpp-jwt", "OpenSSL `HMAC()` alone"], rows),
        "",
        table(["webhook case", "time", "/ keyward's verify"], webhook_rows),
    ])


def keys_table(r):
    n = int(r.machine.get("keys_bench_keys", 1000000))
    store = "1M" if n == 1000000 else f"{n:,}"

    def verify(run, variant):
        name = f"verify/keyward/{variant}"
        return r.ns(run, name), f"{fmt_ns(r.ns(run, name))} ({r.counter(run, name, 'allocs/call'):.0f})"

    def hand(run, ours):
        name = "verify/handwritten-openssl/bearer"
        ns = r.ns(run, name)
        return f"{fmt_ns(ns)} ({r.counter(run, name, 'allocs/call'):.0f}), {fmt_ratio(ns / ours)}"

    bearer, bearer_text = verify("keys", "bearer")
    _, basic_text = verify("keys", "basic")
    small, small_text = verify("keys_1000", "bearer")
    rows = [
        ["classify + checksum (`parse_key`), 60-character key", fmt_ns(r.ns("keys", "classify_checksum/keyward/60")),
         ""],
        ["generate a key (`generate_key`, OS randomness)", fmt_ns(r.ns("keys", "generate/keyward/60")), ""],
        [f"verify Bearer, {store} keys", bearer_text, hand("keys", bearer)],
        [f"verify Basic (key as user-id), {store} keys", basic_text, ""],
        ["verify Bearer, 1,000 keys", small_text, hand("keys_1000", small)],
    ]
    return "\n".join([
        "The whole verification of an `Authorization` value (parse, classify, checksum, lookup in a "
        "`memory_store`, HMAC-SHA256 under the pepper, constant-time compare, expiry, scopes) beside the verifier "
        "written by hand with OpenSSL's `HMAC()`, `std::unordered_map` and `CRYPTO_memcmp`; in parentheses, "
        "allocations per call, then the hand-written time over keyward's.",
        "",
        table(["case", "keyward", "hand-written (OpenSSL)"], rows),
    ])


def rate_table(r):
    def time_row(label, ours_name, theirs_name, run="rate"):
        ours, theirs = r.ns(run, ours_name), r.ns(run, theirs_name)
        return [label, fmt_ns(ours), with_ratio(fmt_ns(theirs), theirs / ours)]

    def rate_row(label, ours_name, theirs_name, run):
        ours, theirs = r.rate(run, ours_name), r.rate(run, theirs_name)
        return [label, fmt_rate(ours), with_ratio(fmt_rate(theirs), ours / theirs)]

    t1, t2 = "real_time/threads:1", "real_time/threads:2"
    keyed = f"keyed/keyward/1M/{t1}"
    rows = [
        time_row("`acquire`, `now` passed in", "acquire/keyward/now", "acquire/mutex/now"),
        time_row("`acquire`, clock read (`steady_clock`)", "acquire/keyward/clock", "acquire/mutex/clock"),
        rate_row("one limiter, 1 thread, under quota", f"shared/keyward/under/{t1}", f"shared/mutex/under/{t1}",
                 "rate"),
        rate_row("one limiter, 2 threads, under quota", f"shared/keyward/under/{t2}", f"shared/mutex/under/{t2}",
                 "rate_threads"),
        rate_row("one limiter, 1 thread, over quota", f"shared/keyward/over/{t1}", f"shared/mutex/over/{t1}", "rate"),
        rate_row("one limiter, 2 threads, over quota", f"shared/keyward/over/{t2}", f"shared/mutex/over/{t2}",
                 "rate_threads"),
        time_row("keyed, 1M keys, 1 thread", keyed, f"keyed/mutex_map/1M/{t1}"),
        rate_row("keyed, 1M keys, 2 threads", f"keyed/keyward/1M/{t2}", f"keyed/mutex_map/1M/{t2}", "rate_threads"),
        ["memory per key (keyed, 64-bit keys)", f"{r.counter('rate', keyed, 'bytes_per_key'):.1f} B",
         f"{r.counter('rate', f'keyed/mutex_map/1M/{t1}', 'bytes_per_key'):.1f} B (before malloc's overhead)"],
    ]
    random_ns = r.ns("rate", "flood/keyward/random")
    std_random_ns = r.ns("rate", "flood/std_hash/random")
    crafted = r.ns("rate", "flood/keyward/crafted")
    std_crafted = r.ns("rate", "flood/std_hash/crafted")
    flood_rows = [
        ["acquire, 15,000 random keys", fmt_ns(random_ns), fmt_ns(std_random_ns)],
        ["acquire, 15,000 keys crafted to collide in `std::hash`",
         f"{fmt_ns(crafted)} ({three_digits(crafted / random_ns)}x random)",
         f"{fmt_ns(std_crafted)} ({three_digits(std_crafted / std_random_ns)}x random)"],
        ["hash of a 24-byte key", fmt_ns(r.ns("rate", "hash/siphash24/24B")),
         fmt_ns(r.ns("rate", "hash/std_hash/24B"))],
        ["keyed, 1M 64-bit keys, 1 thread", fmt_ns(r.ns("rate", keyed)),
         fmt_ns(r.ns("rate", f"keyed/keyward_std_hash/1M/{t1}"))],
    ]
    return "\n".join([
        "`rate::gcra` and `rate::keyed` beside a token bucket behind a `std::mutex` (and, keyed, a `std::mutex` "
        "around a `std::unordered_map` of them), as users write by hand. Times per call, or calls per second "
        "(threads: all threads together); in parentheses, the baseline's time over keyward's (or keyward's rate "
        "over the baseline's).",
        "",
        table(["case", "keyward", "mutex baseline"], rows),
        "",
        "Hash flooding: `keyed<std::string>` under its default hash (SipHash-2-4 under a random key) and with "
        "`Hash = std::hash<std::string>`:",
        "",
        table(["case", "default hash (SipHash-2-4)", "`std::hash`"], flood_rows),
    ])


def scan_table(r):
    kernels = r.kernels("scan", "scan/keyward/{}")
    rows = []
    for k in kernels:
        cells = [f"`{k}`"]
        for op in ("scan", "redact", "stream"):
            name = f"{op}/keyward/{k}"
            cells.append(f"{fmt_bytes_rate(r.counter('scan', name, 'bytes_per_second'))} "
                         f"({three_digits(r.counter('scan', name, 'x_re'))}x `re`)")
        rows.append(cells)
    find = r.counter("scan", f"scan/keyward/{kernels[0]}", "re_bytes_per_second")
    sub = r.counter("scan", f"redact/keyward/{kernels[0]}", "re_bytes_per_second")
    python = r.machine.get("python_re", "")
    return "\n".join([
        "1 MiB of access-log and JSON lines, 0.1% of them holding a key, scanned for three sources (a keyward "
        "prefix table, GitHub and npm tokens, Stripe-style keys), per kernel (GB = 10^9 bytes); in parentheses, "
        "the speed over Python's `re` with the equivalent pattern on the same text.",
        "",
        table(["kernel", "scan", "redact", "stream (4 KiB chunks)"], rows),
        "",
        f"Python {python} `re`: finditer {fmt_bytes_rate(find)}, subn {fmt_bytes_rate(sub)}. Restoring the planted "
        f"keys inside each redact iteration costs {fmt_ns(r.ns('scan', 'restore_keys'))}.",
    ])


REDIS_ROWS = {
    "acquire": "keyward acquire, one per round trip",
    "batch": "keyward acquire_batch, 64 per round trip",
    "set": "redis-benchmark SET, one per round trip (-c 1)",
    "get": "redis-benchmark GET, one per round trip (-c 1)",
    "set64": "redis-benchmark SET, 64 per round trip (-c 1 -P 64)",
    "set50": "redis-benchmark SET, 50 connections (-c 50)",
}


def redis_table(r):
    rate = {key: r.rate("redis", name) for key, name in REDIS_ROWS.items()}
    rows = [
        ["`redis_limiter::acquire`, one call per round trip", fmt_rate(rate["acquire"]),
         f"SET -c 1: {fmt_rate(rate['set'])}", fmt_ratio(rate["acquire"] / rate["set"])],
        ["`acquire_batch`, 64 per round trip", fmt_rate(rate["batch"]),
         f"SET -c 1 -P 64: {fmt_rate(rate['set64'])}", fmt_ratio(rate["batch"] / rate["set64"])],
    ]
    memory = r.ns("keys_redis", "verify/memory_store/real_time")
    warm = r.ns("keys_redis", "verify/redis_store/warm/real_time")
    cold = r.rate("keys_redis", "verify/redis_store/cold/real_time")
    hgetall = r.counter("keys_redis", "verify/redis_store/cold/real_time", "redis_benchmark_ops/s")
    spend = r.rate("keys_redis", "credits/redis_store/real_time")
    incrby = r.counter("keys_redis", "credits/redis_store/real_time", "redis_benchmark_ops/s")
    keys_rows = [
        ["verify, `redis_store`, warm cache", fmt_ns(warm), f"`memory_store`: {fmt_ns(memory)}",
         fmt_ratio(memory / warm)],
        ["verify, `redis_store`, cold cache (one `HGETALL`)", fmt_rate(cold), f"HGETALL -c 1: {fmt_rate(hgetall)}",
         fmt_ratio(cold / hgetall)],
        ["`consume_credits`, `redis_store` (one script run)", fmt_rate(spend), f"INCRBY -c 1: {fmt_rate(incrby)}",
         fmt_ratio(spend / incrby)],
        ["`consume_credits`, `memory_store`", fmt_ns(r.ns("keys_redis", "credits/memory_store/real_time")), "", ""],
    ]
    return "\n".join([
        "A `redis-server` of the benchmark's own on loopback, server and client on the same CPU, one connection; "
        "`redis-benchmark` on the same server does the same round trips without a script (the ceiling). Rates "
        "in calls per second, real time; the ratio is keyward's rate over the reference's.",
        "",
        table(["rate limiting (`rate/redis.hpp`)", "keyward", "redis-benchmark", "ratio"], rows),
        "",
        f"`redis-benchmark` alone with 50 connections (-c 50): SET {fmt_rate(rate['set50'])}.",
        "",
        table(["API keys (`keys/redis_store.hpp`)", "keyward", "compared with", "ratio"], keys_rows),
    ])


def summary_table(r):
    n = int(r.machine.get("keys_bench_keys", 1000000))
    store = "1M" if n == 1000000 else f"{n:,}"
    rows = []

    def row(label, run, ours, peers):
        """peers: [(library, benchmark)]; the fastest one is shown."""
        ours_ns = r.ns(run, ours)
        best = min(peers, key=lambda p: r.ns(run, p[1]))
        peer_ns = r.ns(run, best[1])
        rows.append([label, fmt_ns(ours_ns), f"{fmt_ns(peer_ns)} ({best[0]})", fmt_ratio(peer_ns / ours_ns)])

    for op, size in (("decode", "1024"), ("encode", "1024"), ("decode", "mix"), ("encode", "mix")):
        row(f"Base64 {op}, {size_label(size)}", "base64", f"{op}/keyward/{size}",
            [(label, f"{op}/{lib}/{size}") for label, lib in BASE64_PEERS])
    row("SHA-256, 1 KiB", "crypto", "sha256/keyward/1024",
        [("OpenSSL", "sha256/openssl_evp/1024"), ("OpenSSL", "sha256/openssl_oneshot/1024"),
         ("libsodium", "sha256/sodium/1024")])
    row("HMAC-SHA256, 300 B, prepared key", "crypto", "hmac_sha256/keyward/prepared/300",
        [("OpenSSL", "hmac_sha256/openssl_evp_mac/prepared/300"), ("libsodium", "hmac_sha256/sodium/prepared/300")])
    row("parse `Authorization: Basic` (API key)", "http", "parse_basic/keyward/apikey",
        [("Poco", "parse_basic/poco/apikey")])
    row("parse `Authorization: Bearer` (40 characters)", "http", "parse_bearer/keyward/token40",
        [("Poco", "parse_bearer/poco/token40")])
    row("JWT HS256 verify, claims checked", "jwt", "verify_hs256/keyward",
        [("libjwt", "verify_hs256/libjwt"), ("cpp-jwt", "verify_hs256/cpp-jwt")])
    row("JWT HS256 sign", "jwt", "sign_hs256/keyward",
        [("libjwt", "sign_hs256/libjwt"), ("cpp-jwt", "sign_hs256/cpp-jwt")])
    row("webhook verify (Standard Webhooks), 1 KiB body", "jwt", "webhook_verify_1KiB/keyward",
        [("OpenSSL `HMAC()` of the body alone", "webhook_verify_1KiB/bare_hmac_sha256_openssl")])
    row(f"API key verification, {store} keys", "keys", "verify/keyward/bearer",
        [("hand-written, OpenSSL", "verify/handwritten-openssl/bearer")])
    row("rate limiting, one limiter (`acquire`)", "rate", "acquire/keyward/now",
        [("mutex token bucket", "acquire/mutex/now")])
    row("keyed rate limiting, 1M keys", "rate", "keyed/keyward/1M/real_time/threads:1",
        [("mutex + `unordered_map`", "keyed/mutex_map/1M/real_time/threads:1")])
    kernel = r.kernels("scan", "scan/keyward/{}")[-1]  # the kernel dispatch picks: the widest the CPU has
    scan = f"scan/keyward/{kernel}"
    rows.append(["finding keys in 1 MiB of logs", fmt_bytes_rate(r.counter("scan", scan, "bytes_per_second")),
                 f"{fmt_bytes_rate(r.counter('scan', scan, 're_bytes_per_second'))} (Python `re`)",
                 fmt_ratio(r.counter("scan", scan, "x_re"))])
    ours, theirs = r.rate("redis", REDIS_ROWS["acquire"]), r.rate("redis", REDIS_ROWS["set"])
    rows.append(["rate limiting in Redis, one call per round trip", fmt_rate(ours),
                 f"{fmt_rate(theirs)} (`redis-benchmark` SET)", fmt_ratio(ours / theirs)])
    return "\n".join([
        "Time per call (or rate); the fastest peer measured; its time over keyward's (above 1: keyward is faster). "
        "Every module's table: `docs/benchmarks.md`.",
        "",
        table(["comparison", "keyward", "fastest peer", "peer / keyward"], rows),
    ])


TABLES = {
    "summary": summary_table,
    "base64": base64_table,
    "crypto": crypto_table,
    "http": http_table,
    "jwt": jwt_table,
    "keys": keys_table,
    "rate": rate_table,
    "scan": scan_table,
    "redis": redis_table,
}


CPU_FLAGS = {"avx2": "AVX2", "bmi2": "BMI2", "avx512bw": "AVX-512 BW", "avx512vbmi": "AVX-512 VBMI", "sha_ni": "SHA-NI"}


def machine_line(m):
    """The first line of every region: the command that produced the numbers and the machine."""
    flags = ", ".join(CPU_FLAGS.get(f, f) for f in m.get("cpu_flags", []))
    commit = m.get("commit", "?")[:7] + (" with local changes" if m.get("commit_dirty") else "")
    quick = " **(a --quick run: the numbers are noise)**" if m.get("mode") == "quick" else ""
    machine = [f"{m.get('cpu', '?')} ({flags})" if flags else m.get("cpu", "?"), f"{m.get('cores', '?')} cores",
               m.get("os", ""), f"Linux {m.get('kernel', '?')}",
               " ".join(filter(None, [m.get("compiler"), m.get("flags")]))]
    pinned = f", pinned to CPU {m['pinned_cpu']}" if m.get("pinned_cpu", "") != "" else ""
    return (f"Numbers from `{m.get('command', 'bash benchmarks/run.sh')}`{quick} of {m.get('date', '?')[:10]} at "
            f"commit {commit}, tables by `python3 benchmarks/report.py`: {', '.join(filter(None, machine))}; "
            f"medians of {m.get('repetitions', '?')} repetitions{pinned}.")


def noise_line(r):
    cvs = sorted((r.cvs[key], key) for key in r.used if key in r.cvs)
    if not cvs:
        return ""
    worst, (run, name) = cvs[-1]
    return (f"Noise (coefficient of variation over the repetitions, {len(cvs)} rows): median "
            f"{statistics.median(c for c, _ in cvs) * 100:.1f}%, largest {worst * 100:.1f}% (`{name}`).")


def region_text(r, name):
    r.used = set()
    body = TABLES[name](r)
    parts = [machine_line(r.machine), "", body]
    noise = noise_line(r)
    if noise:
        parts += ["", noise]
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Regions of Markdown files

OPEN = re.compile(r"^<!-- benchmarks:([a-z0-9_]+) -->$")
CLOSE = re.compile(r"^<!-- /benchmarks:([a-z0-9_]+) -->$")


def regions(lines, path):
    """[(name, first line inside, line of the closing marker)] of a file's lines."""
    found = []
    start = None
    for i, line in enumerate(lines):
        opened, closed = OPEN.match(line), CLOSE.match(line)
        if opened:
            if start is not None:
                raise ValueError(f"{path}:{i + 1}: region {opened.group(1)} opens inside region {start[0]}")
            if opened.group(1) not in TABLES:
                raise ValueError(f"{path}:{i + 1}: unknown table '{opened.group(1)}' (known: {', '.join(TABLES)})")
            start = (opened.group(1), i + 1)
        elif closed:
            if start is None or closed.group(1) != start[0]:
                raise ValueError(f"{path}:{i + 1}: closing marker of {closed.group(1)} without its opening marker")
            found.append((start[0], start[1], i))
            start = None
    if start is not None:
        raise ValueError(f"{path}: region {start[0]} is not closed")
    return found


def expected_lines(r, name, cache):
    if name not in cache:
        cache[name] = [""] + region_text(r, name).split("\n") + [""]
    return cache[name]


def update(r, paths):
    cache = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        found = regions(lines, path)
        if not found:
            sys.exit(f"report.py: {path} has no <!-- benchmarks:NAME --> region")
        for name, first, close in reversed(found):  # from the end, so earlier line numbers stay valid
            lines[first:close] = expected_lines(r, name, cache)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print(f"updated {path}: {', '.join(n for n, _, _ in found)}")


def check(r, paths):
    cache = {}
    failed = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            found = regions(lines, path)
        except (OSError, ValueError) as e:
            print(f"FAIL {path}: {e}")
            failed += 1
            continue
        if not found:
            print(f"FAIL {path}: no <!-- benchmarks:NAME --> region")
            failed += 1
        for name, first, close in found:
            label = f"{path}:benchmarks:{name}"
            try:
                want = expected_lines(r, name, cache)
            except Missing as e:
                print(f"FAIL {label}: {e}")
                failed += 1
                continue
            have = lines[first:close]
            if have == want:
                print(f"PASS {label}")
                continue
            print(f"FAIL {label}: differs from {r.directory} (run report.py {r.directory} --update {path})")
            for line in difflib.unified_diff(have, want, f"{path} (committed)", f"{path} (from the JSON)",
                                             lineterm="", n=1):
                print("    " + line)
            failed += 1
    return failed


# ---------------------------------------------------------------------------------------------------------
# Charts (matplotlib, imported only here)


def chart_data(r, name):
    """(title, unit, higher_is_better, groups, series, values[series][group] or None)."""
    if name == "base64":
        sizes = ["16", "64", "256", "1024", "65536", "1048576", "mix"]
        libs = [("keyward", "keyward")] + [(label, lib) for label, lib in BASE64_PEERS]
        groups = [f"{op} {size_label(s)}" for op in ("encode", "decode") for s in sizes]
        values = [[r.counter("base64", f"{op}/{lib}/{s}", "bytes_per_second") / 1e9
                   for op in ("encode", "decode") for s in sizes] for _, lib in libs]
        return "Base64", "GB/s (raw bytes)", True, groups, [l for l, _ in libs], values
    if name == "crypto":
        cases = [("SHA-256 64 B", "sha256/{}/64"), ("SHA-256 1 KiB", "sha256/{}/1024"),
                 ("SHA-256 1 MiB", "sha256/{}/1048576"), ("SHA-512 64 B", "sha512/{}/64"),
                 ("SHA-512 1 KiB", "sha512/{}/1024"), ("SHA-512 1 MiB", "sha512/{}/1048576"),
                 ("HMAC-SHA256 prepared", "hmac_sha256/{}/prepared/300"),
                 ("HMAC-SHA256 from key", "hmac_sha256/{}/scratch/300")]
        libs = [("keyward", {"": "keyward"}),
                ("OpenSSL", {"sha": "openssl_evp", "hmac_sha256/{}/prepared": "openssl_evp_mac",
                             "hmac_sha256/{}/scratch": "openssl_oneshot"}),
                ("libsodium", {"": "sodium"})]
        values = []
        for _, names in libs:
            row = []
            for _, template in cases:
                lib = next((v for k, v in names.items() if template.startswith(k)), None)
                row.append(r.ns("crypto", template.format(lib)) / 1e3 if lib else None)
            values.append(row)
        return "SHA-2 and HMAC", "µs per call", False, [c for c, _ in cases], [l for l, _ in libs], values
    if name == "http":
        cases = [("parse Basic", "parse_basic/{}/apikey"), ("parse Bearer 40", "parse_bearer/{}/token40"),
                 ("parse Bearer JWT", "parse_bearer/{}/jwt300"), ("build Basic", "build_basic/{}/apikey"),
                 ("build Bearer 40", "build_bearer/{}/token40"), ("challenge Basic", "parse_challenges/{}/basic")]
        libs = ["keyward", "poco", "httplib"]
        values = [[r.ns("http", t.format(lib)) if r.has("http", t.format(lib)) or lib == "keyward" else None
                   for _, t in cases] for lib in libs]
        return ("HTTP authentication", "ns per call", False, [c for c, _ in cases], ["keyward", "Poco", "cpp-httplib"],
                values)
    if name == "jwt":
        cases = [("verify HS256", "verify_hs256"), ("verify HS512", "verify_hs512"), ("sign HS256", "sign_hs256")]
        libs = ["keyward", "libjwt", "cpp-jwt"]
        values = [[r.ns("jwt", f"{op}/{lib}") for _, op in cases] for lib in libs]
        return "JSON Web Tokens", "ns per call", False, [c for c, _ in cases], libs, values
    if name == "keys":
        values = [[r.ns("keys", "verify/keyward/bearer"), r.ns("keys_1000", "verify/keyward/bearer")],
                  [r.ns("keys", "verify/handwritten-openssl/bearer"),
                   r.ns("keys_1000", "verify/handwritten-openssl/bearer")]]
        n = int(r.machine.get("keys_bench_keys", 1000000))
        store = "1M" if n == 1000000 else f"{n:,}"
        return ("API key verification", "ns per call", False, [f"{store} keys", "1,000 keys"],
                ["keyward", "hand-written (OpenSSL)"], values)
    if name == "rate":
        t1 = "real_time/threads:1"
        cases = [("acquire", "acquire/{}/now"), ("acquire, clock", "acquire/{}/clock"),
                 ("shared, under", "shared/{}/under/" + t1), ("shared, over", "shared/{}/over/" + t1),
                 ("keyed, 1M keys", "keyed/{}/1M/" + t1)]
        libs = [("keyward", "keyward", "keyward"), ("mutex baseline", "mutex", "mutex_map")]
        values = [[r.ns("rate", t.format(keyed if t.startswith("keyed") else plain)) for _, t in cases]
                  for _, plain, keyed in libs]
        return "Rate limiting, one thread", "ns per call", False, [c for c, _ in cases], [l for l, _, _ in libs], values
    if name == "scan":
        kernels = r.kernels("scan", "scan/keyward/{}")
        ops = ["scan", "redact", "stream"]
        values = [[r.counter("scan", f"{op}/keyward/{k}", "bytes_per_second") / 1e9 for op in ops] for k in kernels]
        values.append([r.counter("scan", f"{op}/keyward/{kernels[0]}", "re_bytes_per_second") / 1e9 for op in ops])
        return "Finding keys in logs", "GB/s", True, ops, [f"keyward {k}" for k in kernels] + ["Python re"], values
    if name == "redis":
        groups = ["acquire", "acquire_batch 64", "verify, cold", "consume_credits"]
        ours = [r.rate("redis", REDIS_ROWS["acquire"]), r.rate("redis", REDIS_ROWS["batch"]),
                r.rate("keys_redis", "verify/redis_store/cold/real_time"),
                r.rate("keys_redis", "credits/redis_store/real_time")]
        theirs = [r.rate("redis", REDIS_ROWS["set"]), r.rate("redis", REDIS_ROWS["set64"]),
                  r.counter("keys_redis", "verify/redis_store/cold/real_time", "redis_benchmark_ops/s"),
                  r.counter("keys_redis", "credits/redis_store/real_time", "redis_benchmark_ops/s")]
        return ("Redis, one connection", "calls per second", True, groups,
                ["keyward", "redis-benchmark (SET, SET -P 64, HGETALL, INCRBY)"], [ours, theirs])
    raise KeyError(name)


def draw_charts(r, directory):
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "keyward"
    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["font.size"] = 9
    m = r.machine
    subtitle = f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('compiler', '')}, {m.get('date', '?')[:10]}"
    subtitle = subtitle.replace(", ,", ",")
    if m.get("mode") == "quick":
        subtitle += " (quick run: noise)"
    os.makedirs(directory, exist_ok=True)
    colors = ["#1f5fa8", "#d9822b", "#5a9e4b", "#a64d79", "#7f7f7f"]

    for name in [n for n in TABLES if n != "summary"]:
        title, unit, higher, groups, series, values = chart_data(r, name)
        fig, ax = plt.subplots(figsize=(max(7.0, 0.9 * len(groups) + 2), 4.2))
        width = 0.8 / len(series)
        present = [v for row in values for v in row if v]
        log = max(present) / min(present) > 20
        # Each bar but the reference's carries keyward's advantage: the peer's time over keyward's (or keyward's
        # rate over the peer's); for scan, each kernel's speed over Python's re (the reference, the last series).
        base = len(series) - 1 if name == "scan" else 0
        for s, label in enumerate(series):
            xs = [g + (s - (len(series) - 1) / 2) * width for g in range(len(groups))]
            bars = [(x, v) for x, v in zip(xs, values[s]) if v]
            ax.bar([x for x, _ in bars], [v for _, v in bars], width, label=label, color=colors[s % len(colors)])
            if s == base:
                continue
            for g, (x, v) in enumerate(zip(xs, values[s])):
                reference = values[base][g]
                if not (v and reference):
                    continue
                if base == 0:
                    ratio = reference / v if higher else v / reference
                else:
                    ratio = v / reference if higher else reference / v
                ax.annotate(f"{three_digits(ratio)}x", (x, v), ha="center", va="bottom", fontsize=6.5,
                            rotation=90 if len(groups) > 8 else 0, xytext=(0, 2), textcoords="offset points")
        if log:
            ax.set_yscale("log")
        top = max(present)
        ax.set_ylim(top=top * 12 if log else top * 1.3)  # room for the legend above the bars
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(groups, rotation=30 if len(groups) > 5 else 0, ha="right" if len(groups) > 5 else "center")
        ax.set_ylabel(unit + (" (higher is better)" if higher else " (lower is better)"))
        ax.set_title(f"keyward: {title}\n{subtitle}", fontsize=9)
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncol=len(series))
        fig.tight_layout()
        fig.savefig(os.path.join(directory, f"bench-{name}.svg"), metadata={"Date": None, "Creator": None})
        plt.close(fig)
        print(f"wrote {os.path.join(directory, f'bench-{name}.svg')}")

    # The summary: each headline comparison's ratio, on a log scale.
    r.used = set()
    rows = [line for line in summary_table(r).split("\n")
            if line.startswith("| ") and not line.startswith("| comparison")]
    labels = [row.split(" | ")[0][2:].replace("`", "") for row in rows]
    ratios = [float(row.rstrip(" |").split(" | ")[-1].strip("*x").replace(",", "")) for row in rows]
    fig, ax = plt.subplots(figsize=(9.0, 0.32 * len(rows) + 1.4))
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys, ratios, color=[colors[0] if v >= 1 else colors[1] for v in ratios])
    for y, v in zip(ys, ratios):
        ax.annotate(f"{three_digits(v)}x", (v, y), va="center", xytext=(3, 0), textcoords="offset points", fontsize=7)
    ax.axvline(1.0, color="#333333", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yticks(ys)
    ax.set_yticklabels(labels)
    ax.set_xlabel("the fastest peer's time over keyward's (above 1: keyward is faster)")
    ax.set_title(f"keyward against the fastest peer\n{subtitle}", fontsize=9)
    ax.margins(x=0.15)
    fig.tight_layout()
    fig.savefig(os.path.join(directory, "bench-summary.svg"), metadata={"Date": None, "Creator": None})
    plt.close(fig)
    print(f"wrote {os.path.join(directory, 'bench-summary.svg')}")


# ---------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", help="the directory benchmarks/run.sh wrote (benchmarks/results)")
    parser.add_argument("--update", nargs="+", metavar="FILE", default=[], help="rewrite the regions of FILEs")
    parser.add_argument("--check", nargs="+", metavar="FILE", default=[], help="PASS/FAIL per region of FILEs")
    parser.add_argument("--charts", metavar="DIR", help="write DIR/bench-NAME.svg (needs matplotlib)")
    args = parser.parse_args()
    try:
        r = Results(args.results)
    except (Missing, OSError, ValueError) as e:
        if args.check:
            print(f"FAIL benchmark results: {e}")
            return 1
        sys.exit(f"report.py: {e}")
    if args.check:
        return 1 if check(r, args.check) else 0
    try:
        if args.update:
            update(r, args.update)
        if args.charts:
            draw_charts(r, args.charts)
        if not args.update and not args.charts:
            for name in TABLES:
                print(f"<!-- benchmarks:{name} -->\n\n{region_text(r, name)}\n\n<!-- /benchmarks:{name} -->\n")
    except (Missing, ValueError) as e:
        sys.exit(f"report.py: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
