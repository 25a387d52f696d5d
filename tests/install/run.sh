#!/usr/bin/env bash
# Consumer tests: checks that keyward can be used every way the docs promise. Installs it with meson
# (DESTDIR stage) and builds tests/install/consumer.cpp through pkg-config and CMake find_package; builds it
# through CMake add_subdirectory and FetchContent (local archive, no network); installs with the thin
# CMakeLists.txt and uses find_package again; uses keyward as a meson subproject; and compiles the single
# header bare. Packaging: checks the vcpkg port's manifest, runs its portfile with plain CMake
# (vcpkg_portfile.cmake, no vcpkg) into a staged prefix, and builds against that prefix the find_package
# consumer, the redis component (hiredis through pkg-config), a consumer asking for an unknown component
# (must fail) and the Conan test package; writes the registry port from a release archive of the snapshot
# (tools/vcpkg_registry_port.py) and runs it the same way. Every step works on one snapshot of the source
# tree (without .git and build dirs) taken at the start, and builds only in the scratch dir. Each step
# prints PASS/FAIL <name>; exits non-zero if any failed.
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
  # The library alone (the keyward command, which CMake does not install, is checked by tools/test.sh).
  CXX="$cxx" meson setup "$scratch/build-meson" "$tree" -Dtests=false -Dexamples=false -Dcli=false --prefix=/usr
  DESTDIR="$meson_stage" meson install -C "$scratch/build-meson"
  test -f "$meson_stage/usr/include/keyward/keyward.hpp"
  test -f "$meson_stage/usr/share/keyward/keywardConfig.cmake"
  test -f "$meson_stage/usr/share/keyward/keywardConfigVersion.cmake"
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
  test -d "$meson_stage" && test -d "$cmake_stage"  # a missing stage would make both lists empty
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

# vcpkg: the port's manifest has what vcpkg requires, at version.hpp's version, and depends on nothing but
# the two host helper ports unless the redis feature is asked for; the usage file shows the targets.
port="$tree/packaging/vcpkg/keyward"
vcpkg_manifest() {
  /usr/bin/python3 - "$port" "$tree/include/keyward/version.hpp" <<'PY'
import json, pathlib, re, sys
port, header = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
m = json.loads((port / "vcpkg.json").read_text())
def check(ok, what):
    if not ok:
        sys.exit(f"vcpkg.json: {what}")
check(m.get("name") == "keyward", "name must be keyward")
check(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", m["name"]) is not None, "name must be lowercase words and dashes")
version = re.search(r'version_string = "([^"]*)"', header.read_text()).group(1)
check(m.get("version-semver") == version, f"version-semver {m.get('version-semver')} != version.hpp's {version}")
check(sum(k in m for k in ("version", "version-semver", "version-date", "version-string")) == 1, "one version field")
for key in ("description", "homepage", "license"):
    check(isinstance(m.get(key), str) and m[key], f"{key} missing")
check(m["license"] == "MIT", "license must be MIT")
deps = m.get("dependencies", [])
check(sorted(d["name"] for d in deps) == ["vcpkg-cmake", "vcpkg-cmake-config"]
      and all(d.get("host") is True for d in deps), "default dependencies: vcpkg-cmake and vcpkg-cmake-config, host")
check(set(m.get("features", {})) == {"redis"}, "features: redis only")
redis = m["features"]["redis"]
check(isinstance(redis.get("description"), str) and redis["description"], "feature redis needs a description")
check(redis.get("dependencies") == ["hiredis"], "feature redis depends on hiredis")
usage = (port / "usage").read_text()
for line in ("    find_package(keyward CONFIG REQUIRED)\n",
             "    target_link_libraries(main PRIVATE keyward::keyward)\n",
             "    find_package(keyward CONFIG REQUIRED COMPONENTS redis)\n",
             "    target_link_libraries(main PRIVATE keyward::redis)\n"):
    check(line in usage, f"usage lacks {line.strip()!r}")
print("vcpkg.json and usage ok, version", version)
PY
}

# The portfile run with plain CMake (tests/install/vcpkg_portfile.cmake stands in for vcpkg's functions)
# from the snapshot's port, so it builds the snapshot: a Release install into a staged prefix that later
# steps share. Also: a copy of the port outside a checkout refuses to build unless KEYWARD_SOURCE_DIR names
# the source.
vcpkg_stage="$scratch/stage-vcpkg"
run_portfile() {  # run_portfile PORT_DIR STAGE BUILD_DIR [ARGS...]
  cmake -DPORT_DIR="$1" -DPACKAGES_DIR="$2" -DBUILD_DIR="$3" -DCXX="$cxx" "${@:4}" -P "$tests/vcpkg_portfile.cmake"
}
check_vcpkg_stage() {  # the files a header-only vcpkg package holds, and nothing else
  local stage="$1"
  test -f "$stage/include/keyward/keyward.hpp"
  test -f "$stage/include/keyward/rate/redis.hpp"
  diff <(cd "$stage" && find . -type f ! -path './include/keyward/*' | sort) \
       <(printf '%s\n' ./share/keyward/copyright ./share/keyward/keywardConfig.cmake \
           ./share/keyward/keywardConfigVersion.cmake ./share/keyward/usage)
  test ! -e "$stage/lib"
  test ! -e "$stage/debug"
  diff <(cd "$stage/include" && find keyward -type f | sort) <(cd "$tree/include" && find keyward -type f | sort)
}
vcpkg_portfile() {
  unset KEYWARD_SOURCE_DIR  # (step runs this in a subshell)
  run_portfile "$port" "$vcpkg_stage" "$scratch/vcpkg-build"
  check_vcpkg_stage "$vcpkg_stage"
  mkdir -p "$scratch/vcpkg-copy"
  cp -R "$port" "$scratch/vcpkg-copy/keyward"
  if run_portfile "$scratch/vcpkg-copy/keyward" "$scratch/stage-vcpkg-copy" "$scratch/vcpkg-copy-build" \
      >"$scratch/vcpkg-copy.log" 2>&1; then
    echo "a copy of the port outside a checkout built without KEYWARD_SOURCE_DIR"; return 1
  fi
  cat "$scratch/vcpkg-copy.log"
  tr -s ' \n' ' ' <"$scratch/vcpkg-copy.log" | grep 'is not inside a keyward checkout' >/dev/null  # CMake wraps lines
  KEYWARD_SOURCE_DIR="$tree" run_portfile "$scratch/vcpkg-copy/keyward" "$scratch/stage-vcpkg-copy" \
    "$scratch/vcpkg-copy-build"
  check_vcpkg_stage "$scratch/stage-vcpkg-copy"
}

vcpkg_find_package() {
  cmake_consumer find-package-vcpkg find_package -DCMAKE_PREFIX_PATH="$vcpkg_stage"
}

# COMPONENTS redis: keyward::redis with hiredis from pkg-config (Debian's libhiredis-dev has no CMake package).
cmake_redis_component() {
  pkg-config --exists hiredis
  cmake_consumer find-package-redis find_package_redis -DCMAKE_PREFIX_PATH="$vcpkg_stage"
}

# An unknown component makes find_package fail, with keyward's message.
cmake_unknown_component() {
  if cmake -S "$tests/find_package_unknown" -B "$scratch/find-package-unknown" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_PREFIX_PATH="$vcpkg_stage" >"$scratch/find-package-unknown.log" 2>&1; then
    echo "find_package(keyward COMPONENTS no_such_component) succeeded"; return 1
  fi
  cat "$scratch/find-package-unknown.log"
  tr -s ' \n' ' ' <"$scratch/find-package-unknown.log" | grep 'keyward has no component "no_such_component"' >/dev/null
}

# The Conan test package's CMake project against the same staged prefix.
conan_test_package() {
  cmake -S "$tree/packaging/conan/test_package" -B "$scratch/conan-test-package" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_PREFIX_PATH="$vcpkg_stage" -DCMAKE_BUILD_TYPE=Release -DKEYWARD_TEST_REDIS=ON
  cmake --build "$scratch/conan-test-package" --verbose
  "$scratch/conan-test-package/test_package"
  "$scratch/conan-test-package/test_package_redis"
}

# The registry port written by tools/vcpkg_registry_port.py from a release archive of the snapshot: it
# carries the archive's SHA512, no trace of the overlay's source selection, and builds from the archive.
vcpkg_registry_port() {
  local version release="$scratch/release" reg="$scratch/vcpkg-registry/ports/keyward"
  version="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version-semver"])' \
    "$port/vcpkg.json")"
  mkdir -p "$release"
  tar -C "$tree" --transform "s,^\\.,keyward-$version," -czf "$release/keyward-$version.tar.gz" .
  /usr/bin/python3 "$tree/tools/vcpkg_registry_port.py" --archive "$release/keyward-$version.tar.gz" \
    --url "https://keyward.invalid/releases/keyward-{version}.tar.gz" --out "$reg" --port "$port"
  cat "$reg/portfile.cmake"
  grep -qx "    SHA512 $(sha512sum "$release/keyward-$version.tar.gz" | cut -d' ' -f1)" "$reg/portfile.cmake"
  if grep -nE 'KEYWARD_SOURCE_DIR|CURRENT_PORT_DIR|BEGIN source|END source' "$reg/portfile.cmake"; then
    echo "the registry port still selects a local source"; return 1
  fi
  cmp "$port/vcpkg.json" "$reg/vcpkg.json"
  cmp "$port/usage" "$reg/usage"
  run_portfile "$reg" "$scratch/stage-vcpkg-registry" "$scratch/vcpkg-registry-build" -DDOWNLOADS="$release"
  check_vcpkg_stage "$scratch/stage-vcpkg-registry"
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
step vcpkg_manifest vcpkg_manifest
step vcpkg_portfile vcpkg_portfile
step vcpkg_find_package vcpkg_find_package
step cmake_redis_component cmake_redis_component
step cmake_unknown_component cmake_unknown_component
if [ -f "$tree/packaging/conan/test_package/CMakeLists.txt" ]; then
  step conan_test_package conan_test_package
else
  echo "note: conan_test_package not run: packaging/conan/test_package/CMakeLists.txt does not exist"
fi
step vcpkg_registry_port vcpkg_registry_port

echo
echo "summary: ${#passed[@]} passed, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}"
if [ "${#failed[@]}" -ne 0 ]; then
  exit 1
fi
if [ "$remove_scratch" -eq 1 ]; then
  rm -rf "$scratch"
fi
