#!/usr/bin/env python3
"""Every relative link of the repository's Markdown files resolves: the file or directory exists, and a
`#fragment` names a heading of the target file (GitHub's anchors: lower case, punctuation dropped, spaces to
'-', a `-N` suffix for repeated headings). Links to http(s) and mailto are not followed (CI has no network).
Code spans and fenced blocks are ignored. Prints one PASS/FAIL line per file; exits 1 when a link is broken.

Usage: python3 tests/readme/check_links.py [repository-root]
"""
import pathlib
import re
import sys

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+\1")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(text):
    """(line number, line) of the lines outside fenced blocks, code spans blanked."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield number, CODE_SPAN.sub(lambda s: " " * len(s.group(0)), line)


def anchors(path):
    """The GitHub anchors of the headings of the Markdown file `path`."""
    seen = {}
    result = set()
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        m = HEADING.match(line)
        if not m:
            continue
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(2))  # a link's text only
        slug = re.sub(r"[^\w\- ]", "", title.lower().replace("`", "")).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def broken_links(path, root):
    problems = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        targets = [m.group(1) for m in INLINE_LINK.finditer(line)]
        m = REFERENCE_DEFINITION.match(line)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto: ...
                continue
            file_part, _, fragment = target.partition("#")
            resolved = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(root)}:{number}"
            if root not in resolved.parents and resolved != root:
                problems.append(f"{where}: {target} leaves the repository")
            elif not resolved.exists():
                problems.append(f"{where}: {target} does not exist")
            elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
                problems.append(f"{where}: {target} names no heading of {resolved.relative_to(root)}")
    return problems


def main(argv):
    root = pathlib.Path(argv[0] if argv else pathlib.Path(__file__).resolve().parent.parent.parent).resolve()
    files = sorted(p for p in root.rglob("*.md")
                   if not any(part.startswith((".", "build")) or part == "subprojects"
                              for part in p.relative_to(root).parts[:-1]))
    status = 0
    for path in files:
        problems = broken_links(path, root)
        name = path.relative_to(root)
        if problems:
            status = 1
            print(f"FAIL links {name}: {len(problems)} broken")
            for problem in problems:
                print(f"    {problem}")
        else:
            print(f"PASS links {name}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
