#!/usr/bin/env bash
# Consumer tests: checks that keyward can be used every way the docs promise. Installs it with meson
# (DESTDIR stage) and builds tests/install/consumer.cpp through pkg-config and CMake find_package; builds it
# through CMake add_subdirectory and FetchContent (local archive, no network); installs with the thin
# CMakeLists.txt and uses find_package again; uses keyward as a meson subproject; and compiles the single
# header bare. Every step works on one snapshot of the source tree (without .git and build dirs) taken at
# the start, and builds only in the scratch dir. Each step prints PASS/FAIL <name>; exits non-zero if any
# failed.
#
# Usage: tests/install/run.sh [SOURCE_DIR [SCRATCH_DIR]]   (compiler: $CXX, else c++)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "${1:-$here/../..}" && pwd)"
if [ -n "${2:-}" ]; then
  scratch="$2" remove_scratch=0
else
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/keyward-install.XXXXXX")" remove_scratch=1  # removed if all pass
fi
scratch="$(realpath -m "$scratch")"
case "$scratch/" in
  "$src"/*) echo "scratch dir $scratch is inside the source tree $src; pick another" >&2; exit 2 ;;
esac
mkdir -p "$scratch"
if [ -n "$(ls -A "$scratch")" ]; then
  echo "scratch dir $scratch is not empty" >&2
  exit 2
fi
cxx="${CXX:-c++}"
tree="$scratch/keyward-src"  # the snapshot
tests="$tree/tests/install"
logs="$scratch/logs"
mkdir -p "$logs"
echo "source: $src"
echo "scratch: $scratch (logs in $logs)"
echo "compiler: $cxx"

passed=()
failed=()

# step NAME FUNCTION: runs FUNCTION with its output in logs/NAME.log and records PASS or FAIL. The subshell
# is not run as an `if` condition, where bash would ignore set -e inside it.
step() {
  local name="$1" fn="$2" status
  set +e
  ( set -e; "$fn" ) >"$logs/$name.log" 2>&1
  status=$?
  set -e
  if [ "$status" -eq 0 ]; then
    echo "PASS $name"
    passed+=("$name")
  else
    echo "FAIL $name (log: $logs/$name.log)"
    tail -n 20 "$logs/$name.log" | sed 's/^/    /'
    failed+=("$name")
  fi
}

# The snapshot of the source tree (no .git, no meson or CMake build dirs), and an archive of it for FetchContent.
make_snapshot() {
  mkdir -p "$tree"
  tar -C "$src" --exclude-vcs --exclude-tag-all=build.ninja --exclude-tag-all=CMakeCache.txt \
    --exclude='./build*' --exclude='./_build*' -cf - . | tar -C "$tree" -xf -
  tar -C "$scratch" -czf "$tree.tar.gz" "$(basename "$tree")"
}

# cmake_consumer NAME SOURCE_SUBDIR [ARGS...]: configures, builds and runs one CMake consumer project.
cmake_consumer() {
  local name="$1" project="$2"
  shift 2
  cmake -S "$tests/$project" -B "$scratch/$name" -DCMAKE_CXX_COMPILER="$cxx" "$@"
  cmake --build "$scratch/$name" --verbose
  "$scratch/$name/consumer"
}

meson_stage="$scratch/stage-meson"
cmake_stage="$scratch/stage-cmake"

meson_install() {
  CXX="$cxx" meson setup "$scratch/build-meson" "$tree" -Dtests=false --prefix=/usr
  DESTDIR="$meson_stage" meson install -C "$scratch/build-meson"
  test -f "$meson_stage/usr/include/keyward/keyward.hpp"
  test -f "$meson_stage/usr/share/cmake/keyward/keywardConfig.cmake"
  test -f "$meson_stage/usr/share/cmake/keyward/keywardConfigVersion.cmake"
}

pkg_config() {
  local pc
  pc="$(find "$meson_stage" -name keyward.pc -print -quit)"
  test -n "$pc"
  PKG_CONFIG_PATH="$(dirname "$pc")"
  export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR="$meson_stage"
  test "$(pkg-config --modversion keyward)" = "0.1.0"
  local flags
  flags="$(pkg-config --cflags --libs keyward)"
  echo "pkg-config flags: $flags"
  mkdir -p "$scratch/pkg-config"
  # shellcheck disable=SC2086  # flags is a list of words
  "$cxx" -std=c++17 -Wall -Wextra -Wpedantic -Werror $flags "$tests/consumer.cpp" \
    -o "$scratch/pkg-config/consumer"
  "$scratch/pkg-config/consumer"
}

cmake_find_package_meson() {
  cmake_consumer find-package-meson find_package -DCMAKE_PREFIX_PATH="$meson_stage/usr"
}

cmake_add_subdirectory() {
  cmake_consumer add-subdirectory add_subdirectory -DKEYWARD_SOURCE_DIR="$tree"
}

cmake_fetchcontent() {
  cmake_consumer fetchcontent fetchcontent -DKEYWARD_ARCHIVE="$tree.tar.gz"
}

cmake_install() {
  cmake -S "$tree" -B "$scratch/build-cmake" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_INSTALL_PREFIX=/usr
  DESTDIR="$cmake_stage" cmake --install "$scratch/build-cmake"
  cmake_consumer find-package-cmake find_package -DCMAKE_PREFIX_PATH="$cmake_stage/usr"
}

# Both builds install the same headers and CMake files (meson adds only the pkg-config file).
installs_match() {
  diff <(cd "$meson_stage" && find . -type f ! -name keyward.pc | sort) \
       <(cd "$cmake_stage" && find . -type f | sort)
}

meson_subproject() {
  local project="$scratch/meson-subproject"
  mkdir -p "$project/subprojects"
  cp "$tests/meson_subproject/meson.build" "$tests/consumer.cpp" "$project/"
  cp -R "$tree" "$project/subprojects/keyward"
  CXX="$cxx" meson setup "$project/build" "$project" --force-fallback-for=keyward
  meson compile -C "$project/build"
  meson test -C "$project/build" --print-errorlogs
  "$project/build/consumer"
}

single_header() {
  mkdir -p "$scratch/single-header"
  "$cxx" -std=c++17 -Wall -Wextra -Werror -I"$tree/single_include" "$tests/consumer.cpp" \
    -o "$scratch/single-header/consumer"
  "$scratch/single-header/consumer"
}

make_snapshot
step meson_install meson_install
step pkg_config pkg_config
step cmake_find_package_meson cmake_find_package_meson
step cmake_add_subdirectory cmake_add_subdirectory
step cmake_fetchcontent cmake_fetchcontent
step cmake_install cmake_install
step installs_match installs_match
step meson_subproject meson_subproject
step single_header single_header

echo
echo "summary: ${#passed[@]} passed, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}"
if [ "${#failed[@]}" -ne 0 ]; then
  exit 1
fi
if [ "$remove_scratch" -eq 1 ]; then
  rm -rf "$scratch"
fi
