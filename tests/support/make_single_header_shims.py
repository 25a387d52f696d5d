#!/usr/bin/env python3
"""Write, under OUT_DIR, one forwarding header per public header (OUT_DIR/keyward/base64.hpp, ...), each of
which includes the single header SINGLE_HEADER by absolute path. The test suite built with
-Dsingle_header=true puts OUT_DIR first on its include path, so the unchanged test sources exercise only
single_include/keyward/keyward.hpp. The headers named with --outside (optional adapters, which the single
header leaves out) forward to their own file under --include-dir instead.
Usage: make_single_header_shims.py SINGLE_HEADER OUT_DIR HEADER... [--include-dir DIR --outside HEADER...]
(HEADER relative to include/)
"""
import argparse
import pathlib

parser = argparse.ArgumentParser()
parser.add_argument("single")
parser.add_argument("out_dir")
parser.add_argument("headers", nargs="*")
parser.add_argument("--include-dir")
parser.add_argument("--outside", nargs="*", default=[])
args = parser.parse_args()
if args.outside and not args.include_dir:
    parser.error("--outside needs --include-dir")

single, out_dir = pathlib.Path(args.single).resolve(), pathlib.Path(args.out_dir)
for header in args.headers:
    shim = out_dir / header
    shim.parent.mkdir(parents=True, exist_ok=True)
    if header in args.outside:
        target = (pathlib.Path(args.include_dir) / header).resolve()
        text = f'// Generated for the single-header test build: {header} is not in the single header.\n#include "{target}"\n'
    else:
        text = f'// Generated for the single-header test build: {header} comes from the single header.\n#include "{single}"\n'
    if not shim.exists() or shim.read_text() != text:
        shim.write_text(text)
