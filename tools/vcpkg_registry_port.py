#!/usr/bin/python3
"""Writes the vcpkg registry port of a keyward release from the overlay port and the release archive.

The overlay port (packaging/vcpkg/keyward) builds the checkout it lies in. A registry port must download a
release archive and check its SHA512 instead, and the archive cannot hold a port that contains its own
hash: so the archive is made first, then this tool writes the registry port next to it. It copies
vcpkg.json and usage unchanged and replaces the portfile's `# BEGIN source` ... `# END source` block with
vcpkg_download_distfile (URL, SHA512 of the archive) + vcpkg_extract_source_archive. It refuses an archive
that is not the release the port describes (one top-level directory whose version.hpp and vcpkg.json match).

Usage:
  /usr/bin/python3 tools/vcpkg_registry_port.py --archive keyward-0.1.0.tar.gz \\
      --url 'https://example.org/keyward/releases/download/v{version}/keyward-{version}.tar.gz' \\
      --out <registry>/ports/keyward [--port packaging/vcpkg/keyward]

Make the archive from a tag, e.g. `git archive --prefix=keyward-0.1.0/ -o keyward-0.1.0.tar.gz v0.1.0`,
and publish exactly that file at the URL. Exits non-zero with a message on any mismatch.
"""

import argparse
import hashlib
import json
import pathlib
import re
import sys
import tarfile

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_PORT = HERE.parent / "packaging" / "vcpkg" / "keyward"
BLOCK = re.compile(r"^# BEGIN source\n.*?^# END source\n", re.S | re.M)


def fail(message):
    sys.exit(f"vcpkg_registry_port: {message}")


def archive_member(archive, top, name):
    """The bytes of top/name in the archive (whose names may start with "./"), or None."""
    for path in (f"{top}/{name}", f"./{top}/{name}"):
        try:
            member = archive.extractfile(path)
        except KeyError:
            continue
        return member.read() if member else None
    return None


def check_archive(path, version, manifest_bytes):
    """Checks that the archive holds this release: one top-level directory, the same version and vcpkg.json."""
    with tarfile.open(path) as archive:
        names = [name[2:] if name.startswith("./") else name for name in archive.getnames()]
        tops = {name.split("/", 1)[0] for name in names if name not in ("", ".")}
        if len(tops) != 1:
            fail(f"{path} must hold one top-level directory, holds {sorted(tops)}")
        top = tops.pop()
        header = archive_member(archive, top, "include/keyward/version.hpp")
        if header is None:
            fail(f"{path} holds no include/keyward/version.hpp")
        match = re.search(rb'version_string = "([^"]*)"', header)
        if not match or match.group(1).decode() != version:
            fail(f"{path} is not keyward {version} (version.hpp says {match and match.group(1).decode()})")
        if archive_member(archive, top, "packaging/vcpkg/keyward/vcpkg.json") != manifest_bytes:
            fail(f"{path} holds a different packaging/vcpkg/keyward/vcpkg.json than the port")


def registry_portfile(overlay_text, url, sha512):
    """The overlay portfile with its source block replaced by the download of the release archive."""
    if len(BLOCK.findall(overlay_text)) != 1:
        fail("the overlay portfile must hold exactly one '# BEGIN source' ... '# END source' block")
    source = (
        "vcpkg_download_distfile(ARCHIVE\n"
        f'    URLS "{url}"\n'
        '    FILENAME "keyward-${VERSION}.tar.gz"\n'
        f"    SHA512 {sha512}\n"
        ")\n"
        'vcpkg_extract_source_archive(SOURCE_PATH ARCHIVE "${ARCHIVE}")\n'
    )
    body = BLOCK.sub(lambda _: source, overlay_text)
    # The overlay's header comment describes the overlay; the registry port gets its own.
    body = re.sub(r"\A(#[^\n]*\n)+", "", body)
    header = ("# vcpkg registry port of keyward, written by tools/vcpkg_registry_port.py from\n"
              "# packaging/vcpkg/keyward and the release archive; do not edit, regenerate it.\n")
    return header + body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", required=True, type=pathlib.Path, help="the release archive (.tar.gz)")
    parser.add_argument("--url", required=True, help="where the archive is published; {version} is replaced")
    parser.add_argument("--out", required=True, type=pathlib.Path, help="the registry port directory to write")
    parser.add_argument("--port", type=pathlib.Path, default=DEFAULT_PORT, help="the overlay port")
    args = parser.parse_args()

    manifest_bytes = (args.port / "vcpkg.json").read_bytes()
    version = json.loads(manifest_bytes)["version-semver"]
    check_archive(args.archive, version, manifest_bytes)
    sha512 = hashlib.sha512(args.archive.read_bytes()).hexdigest()
    # In the portfile the URL names the version through vcpkg's ${VERSION}, as vcpkg's own ports do.
    url = args.url.replace("{version}", "${VERSION}")
    portfile = registry_portfile((args.port / "portfile.cmake").read_text(), url, sha512)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "vcpkg.json").write_bytes(manifest_bytes)
    (args.out / "usage").write_bytes((args.port / "usage").read_bytes())
    (args.out / "portfile.cmake").write_text(portfile)
    print(f"wrote {args.out} (keyward {version}, SHA512 {sha512[:16]}...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
