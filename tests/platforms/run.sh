#!/usr/bin/env bash
# Every platform branch of keyward compiles: on this Linux machine, `#include <keyward/keyward.hpp>` is
# checked with -fsyntax-only (C++17, -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror) through include/
# AND through single_include/, once per platform branch, each forced with predefined-macro overrides and the
# stub system headers in tests/platforms/stubs/. A -E pass through include/ also checks that the intended
# branch was really taken (the expected OS call is in the preprocessed code, the others are not).
#
# The branches (grep include/ for `defined(` to find new ones): random.hpp picks BCryptGenRandom (_WIN32, plus
# `#pragma comment(lib)` under _MSC_VER), getrandom(2) / /dev/urandom (__linux__, with or without
# SYS_getrandom), arc4random_buf (__APPLE__, __FreeBSD__, __OpenBSD__, __NetBSD__, __DragonFly__) or
# getentropy (any other POSIX system); ct.hpp's secure_zero picks SecureZeroMemory (_WIN32), explicit_bzero
# (glibc >= 2.25, OpenBSD, FreeBSD) or volatile stores; base64_scalar.hpp tests __BYTE_ORDER__,
# detail/arith.hpp __SIZEOF_INT128__, config.hpp KEYWARD_NO_SIMD. Non-x86 targets: tests/check_non_x86.sh.
# GCC's own <stddef.h> wants the real FreeBSD/NetBSD system headers, so those two are checked with clang++.
# Not covered: compilers that are neither GCC nor Clang (libstdc++ needs __GNUC__).
# Prints one PASS/FAIL line per check. Usage: tests/platforms/run.sh [scratch-dir]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
stubs="$root/tests/platforms/stubs"
source="$out/uses_keyward.cpp"
cat >"$source" <<'EOF'
#include <keyward/keyward.hpp>
int main() {
  unsigned char key[16];
  const bool ok = static_cast<bool>(keyward::random::fill(key, sizeof key));
  keyward::ct::secure_zero(key, sizeof key);
  return ok ? 0 : 1;
}
EOF

linux_off="-U__linux__ -U__linux -Ulinux -U__gnu_linux__"
unix_off="-U__unix__ -U__unix -Uunix"
no_glibc="-include $stubs/no_glibc.h"
# name | compilers | flags | patterns that must (or, with a leading !, must not) match the preprocessed code
configs=(
  "linux|g++||::syscall\(|explicit_bzero\(data|!arc4random_buf\(out|!getentropy\(out"
  "linux-no-SYS_getrandom|g++|-isystem $stubs/linux-no-getrandom|return detail::random::fill_from_urandom\(out, size\)|!::syscall\("
  "linux-glibc-2.24|g++|-include $stubs/glibc_2_24.h|volatile unsigned char\* bytes|!explicit_bzero\(data"
  "windows|g++ clang++|-D_WIN32 $linux_off $unix_off -isystem $stubs/windows|BCryptGenRandom\(|SecureZeroMemory\(data|!::syscall\("
  "windows-msvc|clang++|-D_WIN32 -D_MSC_VER=1930 -DKEYWARD_NO_SIMD $linux_off $unix_off -isystem $stubs/windows|pragma comment\(lib, \"bcrypt\"\)|BCryptGenRandom\("
  "macos|clang++|$linux_off -D__APPLE__ -D__MACH__ $no_glibc|arc4random_buf\(out|volatile unsigned char\* bytes|!getentropy\(out"
  "freebsd|clang++|$linux_off -D__FreeBSD__=14 $no_glibc|arc4random_buf\(out|explicit_bzero\(data"
  "openbsd|clang++|$linux_off -D__OpenBSD__ $no_glibc|arc4random_buf\(out|explicit_bzero\(data"
  "netbsd|clang++|$linux_off -D__NetBSD__ $no_glibc|arc4random_buf\(out|volatile unsigned char\* bytes"
  "dragonfly|clang++|$linux_off -D__DragonFly__ $no_glibc|arc4random_buf\(out|volatile unsigned char\* bytes"
  "posix-generic|g++ clang++|$linux_off $no_glibc|getentropy\(out|volatile unsigned char\* bytes|!arc4random_buf\(out|!::syscall\("
  "gnu-hurd-glibc|g++|$linux_off -D__GNU__ -D__gnu_hurd__|getentropy\(out|explicit_bzero\(data"
  "big-endian|g++|-U__BYTE_ORDER__ -D__BYTE_ORDER__=__ORDER_BIG_ENDIAN__"
  "no-int128|clang++|-U__SIZEOF_INT128__"
  "no-simd|g++|-DKEYWARD_NO_SIMD"
)

# One compile, run in the background; its verdict goes to a file so the lines print in a stable order.
check() {  # check ID NAME COMPILER INCLUDE-DIR FLAGS...
  local id=$1 name=$2 cxx=$3 inc=$4; shift 4
  # shellcheck disable=SC2068  # the flags are separate words
  if $cxx -std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$root/$inc" $@ \
      "$source" >"$out/$id.log" 2>&1; then
    echo "PASS $name: compiles" >"$out/$id.verdict"
  else
    { echo "FAIL $name: does not compile"; grep -m3 -E 'error' "$out/$id.log"; } >"$out/$id.verdict"
  fi
}
branch() {  # branch ID NAME COMPILER PATTERNS FLAGS...
  local id=$1 name=$2 cxx=$3 patterns=$4; shift 4
  local pre="$out/$id.ii" missing=()
  # shellcheck disable=SC2068
  $cxx -std=c++17 -E -P -I"$root/include" $@ "$source" >"$pre" 2>"$out/$id.log" || missing+=("(preprocessing failed)")
  IFS='|' read -ra list <<<"$patterns"
  for p in "${list[@]}"; do
    if [ "${p#!}" != "$p" ]; then grep -qE -- "${p#!}" "$pre" && missing+=("unexpected ${p#!}")
    else grep -qE -- "$p" "$pre" || missing+=("missing $p"); fi
  done
  if [ ${#missing[@]} -eq 0 ]; then echo "PASS $name: intended branch taken" >"$out/$id.verdict"
  else echo "FAIL $name: wrong branch: ${missing[*]}" >"$out/$id.verdict"; fi
}

jobs_max=$(nproc 2>/dev/null || echo 2)
ids=()
n=0
for entry in "${configs[@]}"; do
  IFS='|' read -r name compilers flags patterns <<<"$entry"
  # shellcheck disable=SC2086  # $flags holds separate words
  if [ -n "$patterns" ]; then
    n=$((n + 1)); ids+=("$n"); branch "$n" "$name branch" "${compilers%% *}" "$patterns" $flags &
  fi
  for cxx in $compilers; do
    for inc in include single_include; do
      n=$((n + 1)); ids+=("$n")
      # shellcheck disable=SC2086
      check "$n" "$name $cxx $inc" "$cxx" "$inc" $flags &
      while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    done
  done
done
wait
failed=0
for id in "${ids[@]}"; do
  if [ -f "$out/$id.verdict" ]; then cat "$out/$id.verdict"; else echo "FAIL check $id: no verdict"; fi
  grep -q '^FAIL' "$out/$id.verdict" 2>/dev/null && failed=1
done
exit $failed
