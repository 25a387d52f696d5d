#!/usr/bin/env bash
# keyward tests: installs what it needs on a fresh Debian 12 machine (as root), then builds and runs every
# check and ends with "N passed, N failed", counted from the real results of each meson test and each
# consumer check. Exits non-zero when anything failed. Run: bash tools/test.sh (.ci/run calls it)
set -uo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
work=${KEYWARD_CI_DIR:-$(mktemp -d /tmp/keyward-ci.XXXXXX)}
mkdir -p "$work"
export KEYWARD_FUZZ_SECONDS=${KEYWARD_FUZZ_SECONDS:-10}
# UndefinedBehaviorSanitizer only prints by default: make every report fail the test that triggered it.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
started=$(date +%s)

bash tools/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0
failures=()

record() {  # record NAME STATUS(0=pass)
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}

# Count the tests of one meson build from its JSON test log; a build or set-up failure counts as one failure.
meson_job() {  # meson_job NAME [meson setup args...]   (CXX and MESON_TEST_ARGS may be set by the caller)
  local name=$1; shift
  local dir="$work/$name" job_started=$SECONDS
  echo "=== $name: meson setup $*"
  if ! meson setup "$dir" "$root" "$@" >"$work/$name.setup.log" 2>&1; then
    tail -30 "$work/$name.setup.log"; record "$name (setup)" 1; return
  fi
  if ! ninja -C "$dir" >"$work/$name.build.log" 2>&1; then
    grep -E 'error|FAILED' "$work/$name.build.log" | head -40; record "$name (build)" 1; return
  fi
  # shellcheck disable=SC2086  # MESON_TEST_ARGS holds separate words
  meson test -C "$dir" --print-errorlogs --num-processes 2 ${MESON_TEST_ARGS:-} >"$work/$name.test.log" 2>&1
  grep -E '^ *[0-9]+/[0-9]+ ' "$work/$name.test.log" | sed "s/^/  [$name] /"
  local ok bad skip
  read -r ok bad skip < <(python3 -c '
import json, sys
results = [json.loads(line)["result"] for line in open(sys.argv[1])]
print(results.count("OK"), sum(r not in ("OK", "SKIP") for r in results), results.count("SKIP"))' \
    "$dir/meson-logs/testlog.json")
  passed=$((passed + ok)); failed=$((failed + bad)); skipped=$((skipped + skip))
  if [ "$bad" -ne 0 ]; then
    failures+=("$name: $bad test(s)")
    grep -B2 -A40 -E '(FAIL|TIMEOUT)' "$work/$name.test.log" | head -150
  fi
  echo "  [$name] $((SECONDS - job_started)) s"
}

# lines_job NAME COMMAND...: a check that prints "PASS ..." / "FAIL ..." lines, one per result.
lines_job() {
  lines_start "$@"
  lines_report "$1"
}
# lines_start NAME COMMAND...: starts such a check in the background; lines_report NAME waits for it and counts
# its results. The long single-threaded checks run so, beside the others, on the machine's two cores.
declare -A lines_pid lines_started lines_command
lines_start() {
  local name=$1; shift
  lines_started[$name]=$SECONDS
  lines_command[$name]="$*"
  "$@" >"$work/$name.log" 2>&1 &
  lines_pid[$name]=$!
}
lines_report() {
  local name=$1 status
  wait "${lines_pid[$name]}"
  status=$?
  echo "=== $name: ${lines_command[$name]}"
  while read -r verdict check; do
    echo "  [$name] $verdict $check"
    if [ "$verdict" = PASS ]; then record "$name $check" 0; else record "$name $check" 1; fi
  done < <(grep -E '^(PASS|FAIL) ' "$work/$name.log")
  if ! grep -qE '^(PASS|FAIL) ' "$work/$name.log" || { [ $status -ne 0 ] && ! grep -qE '^FAIL ' "$work/$name.log"; }; then
    tail -30 "$work/$name.log"; record "$name (exit $status)" 1
  fi
  echo "  [$name] $((SECONDS - lines_started[$name])) s"
}

# The suite: g++ C++17 and clang++ C++20 as release builds (-O3, where GCC's flow-based warnings appear) with
# -Werror; both compilers under ASan+UBSan in the other standard (g++ at -O0: GCC takes 2.5 times longer to
# build the sanitized suites at -O2; clang++ keeps -O2, so optimized sanitized code is covered too), the
# clang++ one against the single header with -fno-exceptions -fno-rtti and without SIMD; the fuzzers; the
# benchmarks (built and run once, untimed). The keyward command and the examples (built against include/;
# about 40 s a build) are built and tested by the two release builds and the g++ sanitizer build; the clang++
# sanitizer build builds the examples (with its flags) but not the command.
CXX=g++     meson_job gcc-cxx17-release -Dcpp_std=c++17 -Dbuildtype=release
CXX=clang++ meson_job clang-cxx20-release -Dcpp_std=c++20 -Dbuildtype=release
CXX=g++     meson_job gcc-cxx20-asan-ubsan -Dcpp_std=c++20 -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=0
# The single header, -fno-exceptions -fno-rtti and KEYWARD_NO_SIMD ride on the clang++ sanitizer build rather
# than a build of their own, which took as long as a release build (7 min): include/ is still tested by the
# three other builds, and under the sanitizers by g++ on every SIMD kernel; here the portable code that
# non-x86 targets run is tested under clang++'s sanitizers (the per-kernel runs of the SIMD kernels, compiled
# out, are reported as skipped). The single header is include/ amalgamated (single_header_fresh).
CXX=clang++ meson_job clang-cxx17-asan-ubsan-single-header-no-exceptions-no-rtti-no-simd -Dcpp_std=c++17 \
  -Db_sanitize=address,undefined -Db_lundef=false -Dsingle_header=true -Dcpp_eh=none -Dcpp_rtti=false -Dcli=false \
  -Dcpp_args=-DKEYWARD_NO_SIMD
CXX=clang++ meson_job clang-fuzz -Dtests=false -Dexamples=false -Dcli=false -Dfuzzing=true -Dbuildtype=debugoptimized
# The benchmarks build, check every library's output against a reference, and run briefly (no timing is judged).
CXX=g++ MESON_TEST_ARGS=--benchmark meson_job gcc-benchmarks -Dtests=false -Dexamples=false -Dcli=false -Dbenchmarks=true \
  -Dbuildtype=release

# The example API server end to end, from the g++ release build: every denial and success through curl, the
# example client, a bounded wrk load (429s exactly at the quota, no request errors), two servers sharing keys and
# quotas through Redis, and the README's demo.
lines_job e2e bash tests/e2e/run.sh "$work/gcc-cxx17-release" "$work/e2e"
# The same against the g++ AddressSanitizer + UndefinedBehaviorSanitizer build: any report in a server's log fails.
lines_job e2e-asan-ubsan bash tests/e2e/run.sh "$work/gcc-cxx20-asan-ubsan" "$work/e2e-asan-ubsan"

# `meson install` puts the keyward command in bin/ (from the same build, nothing rebuilt) and it runs from there.
check_cli_install() {
  local stage="$work/cli-install" version
  rm -rf "$stage"
  meson install -C "$work/gcc-cxx17-release" --no-rebuild --destdir "$stage" >"$work/cli-install.log" 2>&1 ||
    { echo "FAIL cli-install: meson install failed"; return 1; }
  version=$(sed -n 's/^inline constexpr const char\* version_string = "\(.*\)";/\1/p' include/keyward/version.hpp)
  if [ "$(find "$stage" -path '*/bin/keyward' -exec {} --version \;)" = "keyward $version" ]; then
    echo "PASS cli-install bin/keyward --version"
  else
    echo "FAIL cli-install: bin/keyward missing or its --version is not \"keyward $version\""
  fi
}
lines_job cli-install check_cli_install

# From here on the checks share the machine: the three longest, single-threaded (about 70, 70 and 100 s),
# start now and are reported where they stand below; the e2e runs above, timed (wrk), ran alone.
lines_start ctgrind bash tests/ctgrind/run.sh "$work/ctgrind"
lines_start consumers bash tests/install/run.sh "$root" "$work/install"
lines_start readme python3 tests/readme/check_blocks.py "$root/README.md" "$root"/docs/*.md --work "$work/readme"

# Secret comparisons under valgrind memcheck with the secret bytes marked undefined, including a planted
# leak that must be caught; g++ and clang++ at -O2 and -O3.
lines_report ctgrind

# Non-x86 targets compile, with the SIMD paths compiled out.
lines_job non-x86 bash tests/check_non_x86.sh "$work/non-x86"

lines_report consumers

# The vcpkg port and the Conan recipe declare what their clients require (read statically: neither client is
# a Debian package; tests/install/run.sh builds their consumers against a staged install).
lines_job recipes python3 tests/install/check_recipes.py "$root"

# One version everywhere: version.hpp, meson.build (and so pkg-config), CMakeLists.txt, the vcpkg port, the
# Conan recipe and CHANGELOG.md; the self-test checks that a different version in each place is caught.
lines_job version python3 tools/check_version.py --self-test "$root"

# The API reference: Doxygen over the public headers, any warning (an undocumented public name) fails.
lines_job doxygen bash tools/doxygen.sh "$work/doxygen"

# The benchmark tables of the README and docs/benchmarks.md are what benchmarks/report.py makes of the
# committed results (benchmarks/results/), never typed by hand.
lines_job benchmark-tables python3 benchmarks/report.py benchmarks/results --check README.md docs/benchmarks.md

# The committed charts are what benchmarks/report.py draws from the same results (its SVG output is
# deterministic: fixed hash salt, no date, text kept as text).
check_charts() {
  rm -rf "$work/charts"
  /usr/bin/python3 benchmarks/report.py benchmarks/results --charts "$work/charts" || { echo "FAIL charts: report.py failed"; return 1; }
  local drawn committed
  for drawn in "$work"/charts/bench-*.svg; do
    committed="docs/images/$(basename "$drawn")"
    if cmp -s "$drawn" "$committed"; then echo "PASS chart $committed"
    else echo "FAIL chart $committed: not what report.py draws from benchmarks/results (or missing)"; fi
  done
  for committed in docs/images/bench-*.svg; do
    [ -e "$work/charts/$(basename "$committed")" ] || echo "FAIL chart $committed: report.py no longer draws it"
  done
}
lines_job benchmark-charts check_charts

# Every platform branch (Windows, macOS, the BSDs, generic POSIX, old Linux...) compiles, through include/
# and through the single header, forced with macro overrides and stub system headers.
lines_job platforms bash tests/platforms/run.sh "$work/platforms"

# A user's strict build: every public header and template, g++ and clang++ at -O2 and -O3 with -Werror.
lines_job user-build bash tests/user_build/run.sh "$work/user-build"

# Every relative link of the Markdown files resolves, to a file and, with a #fragment, to one of its headings.
lines_job links python3 tests/readme/check_links.py "$root"

# Every ```cpp block of README.md and docs/ compiles (and prints the output shown after it, if any).
lines_report readme

echo "=== finished in $(( $(date +%s) - started )) s; logs in $work"
for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
