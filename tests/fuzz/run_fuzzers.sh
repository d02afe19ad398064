#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each
# for SECONDS (default 60), printing the executions per target. Crashes are saved
# under build-fuzz/fuzz-artifacts/<target>/ and make the script exit 1.
#
#   tests/fuzz/run_fuzzers.sh 60            # all targets, 60 s each
#   tests/fuzz/run_fuzzers.sh 10 fuzz_manifest
set -uo pipefail
SECONDS_EACH="${1:-60}"
shift || true
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${MVC_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
JOBS="${MVC_FUZZ_JOBS:-2}"
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(fuzz_safetensors fuzz_chunk_decode fuzz_manifest fuzz_tensor_record fuzz_revision)

mkdir -p "$BUILD"
# The whole library is instrumented for coverage (fuzzer-no-link) and sanitized; the
# targets link libFuzzer's main (tests/fuzz/CMakeLists.txt).
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMVC_WITH_CUDA=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >"$BUILD/configure.log" 2>&1 \
  || { cat "$BUILD/configure.log"; exit 2; }
make -C "$BUILD" -j"$JOBS" "${TARGETS[@]}" fuzz_make_seeds >"$BUILD/build.log" 2>&1 || { tail -50 "$BUILD/build.log"; exit 2; }
"$BUILD/tests/fuzz/fuzz_make_seeds" "$BUILD/fuzz-seeds" >/dev/null || exit 2

status=0
for t in "${TARGETS[@]}"; do
  corpus="$BUILD/fuzz-corpus/$t"
  artifacts="$BUILD/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts" "$BUILD/fuzz-seeds/$t"
  log="$BUILD/fuzz-$t.log"
  "$BUILD/tests/fuzz/$t" "$corpus" "$BUILD/fuzz-seeds/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
    -max_len=65536 -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  crashes=$(find "$artifacts" -type f | wc -l)
  echo "$t: ${execs:-?} executions in ${SECONDS_EACH} s, $crashes crash(es), exit $rc"
  if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then status=1; tail -40 "$log"; fi
done
exit $status
