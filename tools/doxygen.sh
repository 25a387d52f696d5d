#!/usr/bin/env bash
# Builds the HTML API reference with docs/Doxyfile and fails on any Doxygen warning (an undocumented public
# name, a broken reference). Prints `PASS doxygen`, or `FAIL doxygen: N warnings` followed by the warnings,
# and exits non-zero on any warning or when doxygen fails. The output is never committed.
# Run from anywhere: bash tools/doxygen.sh [OUTPUT_DIR]   (default: a new temporary directory; the HTML is
# written to OUTPUT_DIR/html)
set -euo pipefail

out=${1:-$(mktemp -d /tmp/keyward-doxygen.XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)  # absolute, as given relative to the caller's directory
cd "$(dirname "$0")/.."
log="$out/doxygen-warnings.log"
: >"$log"

if ! command -v doxygen >/dev/null; then
  echo "FAIL doxygen: doxygen is not installed"
  exit 1
fi

# The version shown in the reference comes from version.hpp, the single source of truth.
version=$(sed -n 's/^inline constexpr const char\* version_string = "\([^"]*\)";$/\1/p' include/keyward/version.hpp)

# Later settings override the Doxyfile's. WARN_AS_ERROR=FAIL_ON_WARNINGS (in the Doxyfile) makes doxygen
# exit non-zero after a full run; the warnings themselves are counted from the log.
status=0
{
  cat docs/Doxyfile
  echo "OUTPUT_DIRECTORY = \"$out\""
  echo "PROJECT_NUMBER = \"$version\""
  echo "WARN_LOGFILE = \"$log\""
} | doxygen - >"$out/doxygen.log" 2>&1 || status=$?

# With WARN_AS_ERROR set, doxygen 1.9 labels warnings "error:"; one message may continue on further lines.
# Warnings about the configuration itself (an unknown tag) go to the console output, not to the log.
grep -E '(^|: )(warning|error): ' "$out/doxygen.log" >>"$log" || true
count=$(grep -cE '(^|: )(warning|error): ' "$log" || true)
if [ "$count" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "PASS doxygen"
  echo "reference: $out/html/index.html"
  exit 0
fi
if [ "$count" -eq 0 ]; then
  echo "FAIL doxygen: doxygen exited with status $status"
  cat "$out/doxygen.log"
else
  echo "FAIL doxygen: $count warnings"
  cat "$log"
fi
exit 1
