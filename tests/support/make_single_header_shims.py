#!/usr/bin/env python3
"""Write, under OUT_DIR, one forwarding header per public header (OUT_DIR/keyward/base64.hpp, ...), each of
which includes the single header SINGLE_HEADER by absolute path. The test suite built with
-Dsingle_header=true puts OUT_DIR first on its include path, so the unchanged test sources exercise only
single_include/keyward/keyward.hpp.
Usage: make_single_header_shims.py SINGLE_HEADER OUT_DIR HEADER...   (HEADER relative to include/)
"""
import pathlib
import sys

single, out_dir, headers = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]), sys.argv[3:]
for header in headers:
    shim = out_dir / header
    shim.parent.mkdir(parents=True, exist_ok=True)
    text = f'// Generated for the single-header test build: {header} comes from the single header.\n#include "{single}"\n'
    if not shim.exists() or shim.read_text() != text:
        shim.write_text(text)
