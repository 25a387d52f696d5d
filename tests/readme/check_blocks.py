#!/usr/bin/env python3
"""Compile (and, where an output is shown, run) every ```cpp block of README.md and of the docs/ pages.

Rules for code blocks in README.md and docs/*.md:

  Every ```cpp block of these Markdown files is compiled by CI (tests/readme/check_blocks.py) with
  g++ -std=c++17 -Wall -Wextra -Werror, against include/ and against single_include/.
  - A block that contains `int main` is compiled as it stands.
  - Any other block is wrapped: its `#include` lines are moved to the top, after <keyward/keyward.hpp>,
    <cstdio>, <iostream>, <string> and <chrono>, and the rest of the block becomes the body of `int main()`.
    So every block must be self-contained: declare what it uses (no undeclared `request` or `response`).
  - To show a block's output, follow it (blank lines allowed) by the line `<!-- output -->` and then a
    fenced block (``` or ```text): the program is built, run, and its standard output must equal that
    block's content exactly (each line followed by a newline).
  - Against single_include/, every `#include <keyward/...>` line of a block becomes
    `#include <keyward/keyward.hpp>` (the single header is the only keyward header there), except the
    optional adapters that need hiredis (OPTIONAL below), which the single header leaves out: they are
    read from include/, after the single header, as users of the single header do.
  - Blocks in any other language (```sh, ```cmake, ```text, ...) are not checked.
  Compiler messages name the Markdown file and its lines (the wrapper's own lines are called "wrapper").

Prints one `PASS name` / `FAIL name: reason` line per block and include directory, where name is
`FILE:LINE include-dir` (FILE: the Markdown file as given, relative to the repository root when it lies
inside it, e.g. `docs/http.md`; LINE: the block's opening fence). A page without cpp blocks is fine; exits 1
when any block fails, when a file cannot be read, or when none of the files has a cpp block.

Usage: /usr/bin/python3 tests/readme/check_blocks.py [FILE.md ...] [--include DIR ...] [--cxx g++] [--work DIR]
(default: README.md; --include include --include single_include; both relative to the repository root).
CI (tools/test.sh) runs it on README.md docs/*.md.
"""
import argparse
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
INCLUDE_LINE = re.compile(r"^\s*#\s*include\b")
KEYWARD_INCLUDE = re.compile(r"^\s*#\s*include\s*<keyward/[^>]+>")
OPTIONAL = ("keyward/rate/redis.hpp", "keyward/keys/redis_limits.hpp", "keyward/keys/redis_store.hpp")
PRELUDE = ["keyward/keyward.hpp", "cstdio", "iostream", "string", "chrono"]
FLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Werror"]


class Block:
    def __init__(self, line, lang, text):
        self.line = line  # 1-based line of the opening fence
        self.lang = lang
        self.text = text
        self.expected_output = None


def parse_blocks(markdown):
    """Every fenced block, in order, with the output block attached to the cpp block before it."""
    lines = markdown.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        marker, lang = fence.group(2), fence.group(3).lower()
        body = []
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}\s*$", lines[j]):
            body.append(lines[j])
            j += 1
        blocks.append((Block(i + 1, lang, "\n".join(body) + "\n" if body else ""), j))
        i = j + 1
    result = []
    for index, (block, end) in enumerate(blocks):
        if block.lang not in ("cpp", "c++"):
            continue
        # `<!-- output -->` after the block (blank lines allowed), then the next fenced block is its output.
        k = end + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k < len(lines) and lines[k].strip() == "<!-- output -->" and index + 1 < len(blocks):
            following = blocks[index + 1][0]
            if following.lang in ("", "text") and following.line > k + 1:
                between = lines[k + 1:following.line - 1]
                if all(not l.strip() for l in between):
                    block.expected_output = following.text
        result.append(block)
    return result


def program(block, source_name, single_header):
    """The translation unit for a block, following the rules in the module docstring. `#line` directives map
    every line back to the Markdown file, so compiler messages name its line."""
    lines = block.text.splitlines()
    if single_header:
        lines = [l if any(f"<{h}>" in l for h in OPTIONAL) else KEYWARD_INCLUDE.sub("#include <keyward/keyward.hpp>", l)
                 for l in lines]
    first = block.line + 1  # Markdown line of the block's first line

    def located(numbered):
        out, expected = [], None
        for number, text in numbered:
            if number != expected:
                out.append(f'#line {number} "{source_name}"')
            out.append(text)
            expected = number + 1
        return out

    numbered = [(first + i, l) for i, l in enumerate(lines)]
    if re.search(r"\bint\s+main\s*\(", block.text):
        return "\n".join(located(numbered)) + "\n"
    includes = [(n, l) for n, l in numbered if INCLUDE_LINE.match(l)]
    body = [(n, "  " + l if l else l) for n, l in numbered if not INCLUDE_LINE.match(l)]
    head = [f"#include <{h}>" for h in PRELUDE]
    return "\n".join(head + located(includes) + ['#line 1 "wrapper"', "int main() {"] + located(body) +
                     ['#line 2 "wrapper"', "}"]) + "\n"


def first_error(log, source):
    """The first error in the block itself, else the first error anywhere (in a header)."""
    errors = [line.strip() for line in log.splitlines() if "error" in line]
    own = [e for e in errors if e.startswith(source)]
    if own or errors:
        return (own or errors)[0]
    return (log.strip().splitlines() or ["(no message)"])[0]


def check(block, include, cxx, work, source_name):
    name = f"{source_name}:{block.line} {include}"
    # One scratch file per Markdown file, block and include directory (docs/http.md -> docs_http_md_...).
    stem = work / f"block_{re.sub(r'[^A-Za-z0-9]', '_', source_name)}_{block.line}_{include.replace('/', '_')}"
    source = stem.with_suffix(".cpp")
    source.write_text(program(block, source_name, include.rstrip("/").endswith("single_include")), encoding="utf-8")
    include_dir = include if os.path.isabs(include) else str(ROOT / include)
    exe = stem.with_suffix(".exe")
    build = [cxx, *FLAGS, f"-I{include_dir}", f"-I{ROOT / 'include'}", str(source), "-o", str(exe)]
    if block.expected_output is None:
        build[-2:] = ["-fsyntax-only"]
    compiled = subprocess.run(build, capture_output=True, text=True)
    if compiled.returncode != 0:
        return f"FAIL {name}: does not compile: {first_error(compiled.stderr, source_name)}"
    if block.expected_output is None:
        return f"PASS {name}: compiles"
    try:
        ran = subprocess.run([str(exe)], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return f"FAIL {name}: timed out"
    if ran.returncode != 0:
        return f"FAIL {name}: exited with {ran.returncode}"
    if ran.stdout != block.expected_output:
        return (f"FAIL {name}: output differs: expected {block.expected_output!r}, got {ran.stdout!r}")
    return f"PASS {name}: compiles, output matches"


def display_name(path):
    """The name PASS/FAIL lines use: the path relative to the repository root when it lies inside it."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(ROOT))
    except ValueError:
        return str(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="Markdown files (default: README.md)")
    parser.add_argument("--include", action="append", help="include directory (repeatable); "
                        "default: include and single_include")
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--work", help="scratch directory (default: a temporary one)")
    args = parser.parse_args()
    includes = args.include or ["include", "single_include"]
    files = [pathlib.Path(f) for f in args.files] or [ROOT / "README.md"]
    jobs = []
    unreadable = False
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            print(f"FAIL {display_name(path)}: cannot read: {e.strerror}")
            unreadable = True
            continue
        name = display_name(path)
        jobs += [(block, include, name) for block in parse_blocks(text) for include in includes]
    if not jobs:
        print(f"FAIL {' '.join(display_name(f) for f in files)}: no cpp block found")
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        work = pathlib.Path(args.work or scratch)
        work.mkdir(parents=True, exist_ok=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            verdicts = list(pool.map(lambda job: check(job[0], job[1], args.cxx, work, job[2]), jobs))
        for verdict in verdicts:
            print(verdict)
        failed = unreadable or any(v.startswith("FAIL") for v in verdicts)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
