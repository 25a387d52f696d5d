#!/usr/bin/env bash
# A user's strict build: tests/user_build/all_headers.cpp (every public header, every public template
# instantiated) compiled and linked with the flags users turn on, -std=c++17 -Wall -Wextra -Wpedantic -Wshadow
# -Wconversion -Werror, through plain -I (not -isystem, so the library's own warnings show): g++ and clang++
# at -O2 and -O3 against include/, and each at -O3 against single_include/ (with
# KEYWARD_USER_BUILD_SINGLE_HEADER, so the TU includes only <keyward/keyward.hpp>). Also checks that all_headers.cpp
# includes every public header (include/keyward/**/*.hpp but detail/ and the optional rate/redis.hpp,
# keys/redis_limits.hpp and keys/redis_store.hpp), and builds and runs tests/user_build/sanitized_kernels.cpp with
# clang++ -O2 -fsanitize=address,undefined.
# Prints one PASS/FAIL line per check. Usage: tests/user_build/run.sh [scratch-dir]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
source="$root/tests/user_build/all_headers.cpp"
flags=(-std=c++17 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)
failed=0

missing=()
while IFS= read -r header; do
  rel=${header#"$root/include/"}
  grep -qF "#include <$rel>" "$source" || missing+=("$rel")
done < <(find "$root/include/keyward" -name '*.hpp' ! -path '*/detail/*' ! -path '*/rate/redis.hpp' ! -path '*/keys/redis_limits.hpp' \
  ! -path '*/keys/redis_store.hpp' | sort)
if [ ${#missing[@]} -eq 0 ]; then echo "PASS coverage: all_headers.cpp includes every public header"
else echo "FAIL coverage: all_headers.cpp does not include ${missing[*]}"; failed=1; fi

check() {  # check ID COMPILER OPT INCLUDE-DIR
  local id=$1 cxx=$2 opt=$3 inc=$4
  local name="$cxx $opt $inc" single=()
  [ "$inc" = single_include ] && single=(-DKEYWARD_USER_BUILD_SINGLE_HEADER)
  if $cxx "${flags[@]}" "$opt" "${single[@]}" -I"$root/$inc" "$source" -o "$out/$id.exe" >"$out/$id.log" 2>&1; then
    echo "PASS $name: compiles and links" >"$out/$id.verdict"
  else
    { echo "FAIL $name: $(grep -m1 -E 'error' "$out/$id.log")"; grep -E 'error' "$out/$id.log" | sed -n '2,5s/^/    /p'; } >"$out/$id.verdict"
  fi
}

jobs_max=$(nproc 2>/dev/null || echo 2)
ids=()
n=0
for build in "g++ -O2 include" "g++ -O3 include" "clang++ -O2 include" "clang++ -O3 include" \
             "g++ -O3 single_include" "clang++ -O3 single_include"; do
  n=$((n + 1)); ids+=("$n")
  # shellcheck disable=SC2086  # the build's three words
  check "$n" $build &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
done
wait
for id in "${ids[@]}"; do
  cat "$out/$id.verdict" 2>/dev/null || echo "FAIL build $id: no verdict"
  grep -q '^FAIL' "$out/$id.verdict" 2>/dev/null && failed=1
done

# Every SIMD kernel under the sanitizers as users build their tests (no -fno-omit-frame-pointer), built and run.
name="clang++ -O2 -fsanitize=address,undefined sanitized_kernels.cpp"
if ! clang++ "${flags[@]}" -O2 -fsanitize=address,undefined -I"$root/include" "$root/tests/user_build/sanitized_kernels.cpp"     -o "$out/sanitized_kernels.exe" >"$out/sanitized_kernels.log" 2>&1; then
  echo "FAIL $name: $(grep -m1 -E 'error' "$out/sanitized_kernels.log")"; failed=1
elif ! UBSAN_OPTIONS=halt_on_error=1 "$out/sanitized_kernels.exe" >>"$out/sanitized_kernels.log" 2>&1; then
  echo "FAIL $name: the program failed (log: $out/sanitized_kernels.log)"; failed=1
else
  echo "PASS $name: compiles and runs"
fi
exit $failed
