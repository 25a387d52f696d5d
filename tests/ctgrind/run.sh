#!/bin/sh
# Constant-time check: builds tests/ctgrind/ctgrind_check.cpp with g++ and clang++ at -O2 and -O3 and runs
# it under valgrind's memcheck. The "real" mode (every keyward constant-time operation on secret-marked
# bytes) must give no memcheck error; the "leaky" modes (a planted early-exit compare, and Base64 with
# timing::variable on a secret) must each give one, which shows that the check can fail. Prints a PASS or FAIL line per build and mode; exits non-zero on any FAIL.
#
# Usage: tests/ctgrind/run.sh [build-dir]      (needs valgrind and its headers, g++, clang++)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-${TMPDIR:-/tmp}/keyward-ctgrind}
mkdir -p "$out"
error_status=99
failed=0

for compiler in g++ clang++; do
  if ! command -v "$compiler" >/dev/null 2>&1; then
    echo "FAIL $compiler: not found"
    failed=1
    continue
  fi
  debug=-g
  [ "$compiler" = clang++ ] && debug=-gdwarf-4  # valgrind 3.19 reads DWARF 4 best
  for level in -O2 -O3; do
    name="$compiler$level"
    binary="$out/ctgrind_check_$(echo "$name" | tr -c 'A-Za-z0-9\n' '_')"
    if ! "$compiler" -std=c++17 "$level" "$debug" -Wall -Wextra -Wpedantic -Wconversion -Werror \
        -I"$root/include" "$here/ctgrind_check.cpp" -o "$binary"; then
      echo "FAIL $name: build"
      failed=1
      continue
    fi
    for mode in real leaky leaky-base64; do
      log="$binary.$mode.log"
      valgrind --tool=memcheck --error-exitcode=$error_status --track-origins=yes \
        "$binary" "$mode" >"$log" 2>&1
      status=$?
      errors=$(grep -c 'depends on uninitialised value' "$log")
      if [ "$mode" = real ]; then
        if [ $status -eq 0 ]; then
          echo "PASS $name real: no secret-dependent branch or index"
        else
          echo "FAIL $name real: exit $status, $errors memcheck report(s); see $log"
          failed=1
        fi
      else
        if [ $status -eq $error_status ] && [ "$errors" -gt 0 ]; then
          echo "PASS $name $mode: planted leak caught ($errors memcheck report(s))"
        else
          echo "FAIL $name $mode: planted leak NOT caught (exit $status); see $log"
          failed=1
        fi
      fi
    done
  done
done

if [ $failed -ne 0 ]; then
  echo "ctgrind: FAILED"
  exit 1
fi
echo "ctgrind: all passed"
