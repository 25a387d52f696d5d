#!/usr/bin/env python3
"""One version everywhere. include/keyward/version.hpp is the single source of truth (KEYWARD_VERSION_MAJOR,
_MINOR, _PATCH and keyward::version_string); every other place that states the version must agree with it:

  meson.build               project(..., version: 'X.Y.Z'); the pkg-config file is generated from it
                            (pkgconfig.generate(version: meson.project_version()))
  CMakeLists.txt            project(keyward VERSION X.Y.Z ...)
  vcpkg.json                packaging/vcpkg/keyward/vcpkg.json, "version-semver" (or "version")
  conanfile.py              packaging/conan/conanfile.py, version = "X.Y.Z"
  CHANGELOG.md              the first release heading, "## [X.Y.Z] - YYYY-MM-DD" (an [Unreleased] section may
                            precede it)

Prints one PASS or FAIL line per place and exits 1 when any disagrees or cannot be read.
`--self-test` changes each place in turn in a scratch copy and checks that exactly that place fails.

Usage: python3 tools/check_version.py [--self-test] [repository-root]
"""
import json
import pathlib
import re
import shutil
import sys
import tempfile

HEADER = "include/keyward/version.hpp"


def header_version(root):
    """The version version.hpp states, as 'X.Y.Z'; raises ValueError when its statements disagree."""
    text = (root / HEADER).read_text(encoding="utf-8")
    numbers = []
    for name in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(rf"^\s*#\s*define\s+KEYWARD_VERSION_{name}\s+(\d+)\s*$", text, re.M)
        if not m:
            raise ValueError(f"no KEYWARD_VERSION_{name}")
        numbers.append(str(int(m.group(1))))
    version = ".".join(numbers)
    m = re.search(r'\bversion_string\s*=\s*"([^"]*)"', text)
    if not m:
        raise ValueError("no version_string")
    if m.group(1) != version:
        raise ValueError(f"version_string is {m.group(1)!r} but the macros say {version}")
    return version


def call_arguments(text, function):
    """The text between the parentheses of the first call of `function` (balanced), or None."""
    m = re.search(rf"\b{re.escape(function)}\s*\(", text)
    if not m:
        return None
    depth = 1
    for i in range(m.end(), len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[m.end():i]
    return None


def meson_version(root):
    text = (root / "meson.build").read_text(encoding="utf-8")
    project = call_arguments(text, "project")
    found = project and re.search(r"\bversion\s*:\s*'([^']+)'", project)
    if not found:
        raise ValueError("no version in project()")
    generate = call_arguments(text, "pkgconfig.generate")
    if not generate or not re.search(r"\bversion\s*:\s*meson\.project_version\(\)", generate):
        raise ValueError("pkgconfig.generate() does not take meson.project_version()")
    return found.group(1)


def cmake_version(root):
    text = (root / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"\bproject\s*\(\s*keyward\b[^)]*?\bVERSION\s+([0-9][0-9.]*)", text, re.S | re.I)
    if not m:
        raise ValueError("no project(keyward VERSION ...)")
    return m.group(1)


def vcpkg_version(root):
    manifest = json.loads((root / "packaging/vcpkg/keyward/vcpkg.json").read_text(encoding="utf-8"))
    for field in ("version-semver", "version"):
        if field in manifest:
            return manifest[field]
    raise ValueError("no version-semver")


def conan_version(root):
    text = (root / "packaging/conan/conanfile.py").read_text(encoding="utf-8")
    m = re.search(r'^\s*version\s*=\s*"([^"]+)"', text, re.M)
    if not m:
        raise ValueError('no version = "..." in the recipe')
    return m.group(1)


def changelog_version(root):
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    m = re.search(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}\s*$", text, re.M)
    if not m:
        raise ValueError("no release heading '## [X.Y.Z] - YYYY-MM-DD'")
    return m.group(1)


PLACES = {
    "meson.build": meson_version,
    "CMakeLists.txt": cmake_version,
    "vcpkg.json": vcpkg_version,
    "conanfile.py": conan_version,
    "CHANGELOG.md": changelog_version,
}


def check(root, out=print):
    """Prints PASS/FAIL lines; returns the names of the places that failed ('version.hpp' included)."""
    try:
        version = header_version(root)
    except (OSError, ValueError) as e:
        out(f"FAIL version.hpp: {e}")
        return ["version.hpp"]
    out(f"PASS version.hpp: {version}")
    failed = []
    for name, read in PLACES.items():
        try:
            stated = read(root)
        except (OSError, ValueError, json.JSONDecodeError) as e:
            out(f"FAIL {name}: {e}")
            failed.append(name)
            continue
        if stated != version:
            out(f"FAIL {name}: says {stated}, version.hpp says {version}")
            failed.append(name)
        else:
            out(f"PASS {name}: {stated}")
    return failed


# For --self-test: one edit per place that makes it state another version.
BUMPS = {
    "meson.build": ("meson.build", r"(\bproject\s*\([^)]*?\bversion\s*:\s*')[^']+", r"\g<1>9.9.9"),
    "CMakeLists.txt": ("CMakeLists.txt", r"(?is)(\bproject\s*\(\s*keyward\b[^)]*?\bVERSION\s+)[0-9][0-9.]*",
                       r"\g<1>9.9.9"),
    "vcpkg.json": ("packaging/vcpkg/keyward/vcpkg.json", r'("version(?:-semver)?"\s*:\s*")[^"]+', r"\g<1>9.9.9"),
    "conanfile.py": ("packaging/conan/conanfile.py", r'(?m)(^\s*version\s*=\s*")[^"]+', r"\g<1>9.9.9"),
    "CHANGELOG.md": ("CHANGELOG.md", r"(?m)^(## \[)\d+\.\d+\.\d+(\] - )", r"\g<1>9.9.9\g<2>"),
    "version.hpp": (HEADER, r'(version_string\s*=\s*")[^"]+', r"\g<1>9.9.9"),
}


def self_test(root):
    """Each bump must make exactly its own place fail; prints one PASS/FAIL line per place."""
    status = 0
    files = {path for path, _, _ in BUMPS.values()}
    for name, (path, pattern, replacement) in BUMPS.items():
        with tempfile.TemporaryDirectory() as scratch:
            copy = pathlib.Path(scratch)
            for f in files:
                (copy / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(root / f, copy / f)
            target = copy / path
            text, count = re.subn(pattern, replacement, target.read_text(encoding="utf-8"), count=1)
            if count != 1:
                print(f"FAIL self-test {name}: the bump found nothing to change in {path}")
                status = 1
                continue
            target.write_text(text, encoding="utf-8")
            failed = check(copy, out=lambda line: None)
            if failed == [name]:
                print(f"PASS self-test {name}: a different version there is caught")
            else:
                print(f"FAIL self-test {name}: changing it made {failed or 'nothing'} fail")
                status = 1
    return status


def main(argv):
    args = [a for a in argv if a != "--self-test"]
    root = pathlib.Path(args[0] if args else pathlib.Path(__file__).resolve().parent.parent)
    status = 1 if check(root) else 0
    if "--self-test" in argv:
        status |= self_test(root)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
