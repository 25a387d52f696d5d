#!/usr/bin/env python3
"""keyward benchmarks: turn the Google Benchmark JSON of base64_bench into a Markdown table.

One row per (operation, size): the median ns per call of keyward and of each peer, and peer/keyward, the
peer's time divided by keyward's (above 1: keyward is faster; below 1 is shown in bold). Then keyward's
throughput at 64 KiB and 1 MiB. Medians come from the aggregate rows of a run with --benchmark_repetitions
(and, optionally, --benchmark_report_aggregates_only); without them, the median of the plain rows is used.

Usage: compare.py RESULT.json [--metric cpu_time|real_time]
"""

import argparse
import json
import statistics
import sys
from collections import defaultdict

BASELINE = "keyward"
KNOWN_PEERS = ["openssl", "sodium", "beast"]  # the column order; any other library follows, sorted
OPERATIONS = ["encode", "decode"]
THROUGHPUT_SIZES = [65536, 1048576]
NS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def parse_name(run_name):
    """'encode/keyward/1024' -> ('encode', 'keyward', '1024'), or None for a name of another shape."""
    parts = run_name.split("/")
    if len(parts) != 3 or parts[0] not in OPERATIONS:
        return None
    return parts[0], parts[1], parts[2]


def case_order(case):
    """Numeric sizes ascending, then named cases (such as 'mix') alphabetically."""
    return (0, int(case), "") if case.isdigit() else (1, 0, case)


def load_medians(path, metric):
    """{(operation, library, case): median ns per call}, the JSON context, the set of repetition counts, and
    {(operation, library, case): coefficient of variation} (empty without cv aggregates)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    medians = {}
    spreads = {}  # coefficient of variation over the repetitions, when the JSON has it
    repetitions = set()
    plain = defaultdict(list)
    for row in data.get("benchmarks", []):
        if row.get("error_occurred"):
            continue
        key = parse_name(row.get("run_name", row["name"]))
        if key is None:
            continue
        ns = row[metric] * NS_PER_UNIT[row.get("time_unit", "ns")]
        if row.get("run_type") == "aggregate":
            if row.get("aggregate_name") == "median":
                medians[key] = ns
                repetitions.add(row.get("repetitions", 0))
            elif row.get("aggregate_name") == "cv":
                spreads[key] = row[metric]
        else:
            plain[key].append(ns)
    for key, values in plain.items():
        if key not in medians:
            medians[key] = statistics.median(values)
            repetitions.add(len(values))
    return medians, data.get("context", {}), repetitions, spreads


def format_ns(ns):
    if ns is None:
        return "n/a"
    if ns >= 100:
        return f"{ns:,.0f}"
    return f"{ns:.1f}"


def format_ratio(peer_ns, base_ns):
    if peer_ns is None or base_ns is None:
        return "n/a"
    ratio = peer_ns / base_ns
    return f"**{ratio:.2f}**" if ratio < 1.0 else f"{ratio:.2f}"


def describe_size(case):
    if not case.isdigit():
        return "16-256 B mix" if case == "mix" else case
    size = int(case)
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MiB"
    if size >= 1 << 10 and size % (1 << 10) == 0:
        return f"{size >> 10} KiB"
    return f"{size} B"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result", help="JSON written by base64_bench --benchmark_out=FILE")
    parser.add_argument("--metric", choices=["cpu_time", "real_time"], default="cpu_time",
                        help="which time to compare (default: cpu_time, less sensitive to a busy machine)")
    args = parser.parse_args()

    medians, context, repetitions, spreads = load_medians(args.result, args.metric)
    if not medians:
        sys.exit(f"{args.result}: no benchmark named <encode|decode>/<library>/<size>")
    libraries = {library for (_, library, _) in medians}
    if BASELINE not in libraries:
        sys.exit(f"{args.result}: no {BASELINE} results")
    peers = [p for p in KNOWN_PEERS if p in libraries] + sorted(libraries - set(KNOWN_PEERS) - {BASELINE})
    cases = sorted({case for (_, _, case) in medians}, key=case_order)

    cpus = context.get("num_cpus", "?")
    mhz = context.get("mhz_per_cpu", "?")
    runs = "/".join(str(n) for n in sorted(repetitions))
    print(f"Base64, standard alphabet with padding; median {args.metric} per call in ns over {runs} "
          f"repetitions (lower is better). "
          f"peer/keyward is the peer's time over keyward's: above 1 keyward is faster, below 1 (bold) it is slower.")
    print(f"Machine: {cpus} CPUs at {mhz} MHz; {context.get('date', 'date unknown')}; "
          f"Google Benchmark library built as {context.get('library_build_type', '?')}.")
    print()
    header = ["operation", "size", f"{BASELINE} ns"]
    for peer in peers:
        header += [f"{peer} ns", f"{peer}/{BASELINE}"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
    for operation in OPERATIONS:
        for case in cases:
            base = medians.get((operation, BASELINE, case))
            if base is None:
                continue
            row = [operation, describe_size(case), format_ns(base)]
            for peer in peers:
                peer_ns = medians.get((operation, peer, case))
                row += [format_ns(peer_ns), format_ratio(peer_ns, base)]
            print("| " + " | ".join(row) + " |")

    print()
    print(f"{BASELINE} throughput, raw (binary) bytes per second, GB = 10^9 bytes:")
    print()
    print("| operation | " + " | ".join(describe_size(str(s)) for s in THROUGHPUT_SIZES) + " |")
    print("|---|" + "|".join(["---:"] * len(THROUGHPUT_SIZES)) + "|")
    for operation in OPERATIONS:
        cells = []
        for size in THROUGHPUT_SIZES:
            ns = medians.get((operation, BASELINE, str(size)))
            cells.append("n/a" if ns is None else f"{size / ns:.2f} GB/s")
        print(f"| {operation} | " + " | ".join(cells) + " |")

    if spreads:
        worst = max(spreads, key=spreads.get)
        print()
        print(f"Noise, as the coefficient of variation of the {args.metric} over the repetitions: median "
              f"{statistics.median(spreads.values()):.1%}, largest {spreads[worst]:.1%} ({'/'.join(worst)}).")


if __name__ == "__main__":
    main()
