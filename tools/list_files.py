#!/usr/bin/env python3
"""Print, one per line and sorted, the files below DIR (relative to DIR) whose names end with SUFFIX.

meson has no glob: the build calls this at configure time to find every test source and public header.
Usage: list_files.py DIR SUFFIX [--exclude SUBDIR ...]
"""
import argparse
import pathlib

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("suffix")
parser.add_argument("--exclude", action="append", default=[])
args = parser.parse_args()
root = pathlib.Path(args.dir)
for path in sorted(root.rglob("*" + args.suffix)):
    rel = path.relative_to(root)
    if any(rel.as_posix().startswith(ex.rstrip("/") + "/") for ex in args.exclude):
        continue
    print(rel.as_posix())
