#!/usr/bin/env bash
# Installs, on Debian 12 as root, everything keyward's build, tests, benchmarks and examples use (curl and wrk
# drive the example server in the end-to-end test and the demo).
# Safe to run again; skips apt when every package is already there.
set -euo pipefail
packages=(g++ clang libclang-rt-14-dev meson ninja-build cmake pkg-config python3 git
          libboost-test-dev libboost-dev libbenchmark-dev libssl-dev libsodium-dev valgrind
          libstdc++-12-dev-arm64-cross libc6-dev-arm64-cross
          libpoco-dev libcpp-httplib-dev redis-server libhiredis-dev
          python3-jwt libjwt-dev libcpp-jwt-dev nlohmann-json3-dev
          doxygen python3-matplotlib curl wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "as root, run: apt-get install -y ${missing[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
