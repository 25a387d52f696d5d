#!/usr/bin/env bash
# The library compiles for a non-x86 target and, there, contains no SIMD code: clang++ -fsyntax-only for
# aarch64 (Debian's arm64 cross headers) on the umbrella header and on the single header, in C++17 and
# C++20 with -Werror, and a check that the preprocessed code names no x86 intrinsic. Prints PASS/FAIL lines.
# Usage: tests/check_non_x86.sh [scratch-dir]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
source="$out/uses_keyward.cpp"
printf '#include <keyward/keyward.hpp>\nint main() { return keyward::base64::encode("x").size() == 4 ? 0 : 1; }\n' >"$source"
failed=0
for include in include single_include; do
  for std in c++17 c++20; do
    name="aarch64 $include $std"
    if clang++ --target=aarch64-linux-gnu -std=$std -fsyntax-only -Wall -Wextra -Wpedantic -Wconversion -Werror \
        -I"$root/$include" "$source" >"$out/log" 2>&1; then
      echo "PASS $name: compiles"
    else
      echo "FAIL $name: does not compile"; head -20 "$out/log"; failed=1
    fi
  done
  if clang++ --target=aarch64-linux-gnu -std=c++17 -E -I"$root/$include" "$source" 2>/dev/null |
      grep -qE '_mm(256|512)?_|immintrin'; then
    echo "FAIL aarch64 $include: x86 intrinsics reach a non-x86 build"; failed=1
  else
    echo "PASS aarch64 $include: no x86 intrinsics"
  fi
done
exit $failed
