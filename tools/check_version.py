#!/usr/bin/env python3
"""The version is written in meson.build (`project(..., version: 'X.Y.Z')`, from which the pkg-config and
CMake package files are generated); every other place that states it must agree: include/keyward/version.hpp
(KEYWARD_VERSION_MAJOR/MINOR/PATCH and version_string, whichever it defines) and CMakeLists.txt
(`project(keyward VERSION X.Y.Z ...)`, when it states one). Prints one PASS or FAIL line; exits 1 on a
mismatch. Usage: python3 tools/check_version.py [repository-root]
"""
import pathlib
import re
import sys


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    problems = []
    meson = (root / "meson.build").read_text(encoding="utf-8")
    project = re.search(r"\bproject\s*\((.*?)\)", meson, re.S)
    found = project and re.search(r"\bversion\s*:\s*'([^']+)'", project.group(1))
    if not found:
        print("FAIL version: no version in meson.build's project()")
        return 1
    version = found.group(1)
    parts = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if not parts:
        print(f"FAIL version: meson.build's version {version!r} is not major.minor.patch")
        return 1

    header_path = root / "include" / "keyward" / "version.hpp"
    header = header_path.read_text(encoding="utf-8")
    stated = 0
    for name, expected in zip(("MAJOR", "MINOR", "PATCH"), parts.groups()):
        m = re.search(rf"^\s*#\s*define\s+KEYWARD_VERSION_{name}\s+(\d+)\b", header, re.M)
        if m:
            stated += 1
            if int(m.group(1)) != int(expected):
                problems.append(f"version.hpp KEYWARD_VERSION_{name} is {m.group(1)}, meson.build says {expected}")
    m = re.search(r'\bversion_string\b[^"]*"([^"]*)"', header)
    if m:
        stated += 1
        if m.group(1) != version:
            problems.append(f"version.hpp version_string is {m.group(1)!r}, meson.build says {version!r}")
    m = re.search(r'^\s*#\s*define\s+KEYWARD_VERSION_STRING\s+"([^"]*)"', header, re.M)
    if m:
        stated += 1
        if m.group(1) != version:
            problems.append(f"version.hpp KEYWARD_VERSION_STRING is {m.group(1)!r}, meson.build says {version!r}")
    if stated == 0:
        problems.append("version.hpp states no version that this check recognises")

    cmake_path = root / "CMakeLists.txt"
    if cmake_path.exists():
        cmake = cmake_path.read_text(encoding="utf-8")
        m = re.search(r"\bproject\s*\(\s*keyward\b[^)]*?\bVERSION\s+([0-9][0-9.]*)", cmake, re.S | re.I)
        if m and m.group(1) != version:
            problems.append(f"CMakeLists.txt says {m.group(1)}, meson.build says {version}")

    if problems:
        print(f"FAIL version: {'; '.join(problems)}")
        return 1
    print(f"PASS version: {version} everywhere (meson.build, version.hpp"
          f"{', CMakeLists.txt' if cmake_path.exists() else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
