#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DMVC_SANITIZE=ON) in build-asan/ and runs the whole ctest suite there. The crash
# rounds are fewer by default (the sanitized binary is slower); pass ctest arguments
# after the script's, e.g. `run_sanitized_suite.sh -E reliability` to skip the suite.
#
#   tests/reliability/run_sanitized_suite.sh
#   MVC_ASAN_TARGETS="mvc reliability_test" tests/reliability/run_sanitized_suite.sh -R reliability
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${MVC_ASAN_BUILD_DIR:-$ROOT/build-asan}"
JOBS="${MVC_ASAN_JOBS:-2}"
cmake -S "$ROOT" -B "$BUILD" -DMVC_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# MVC_ASAN_TARGETS: build only these targets (default: everything).
make -C "$BUILD" -j"$JOBS" ${MVC_ASAN_TARGETS:-}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export MVC_CRASH_ROUNDS="${MVC_CRASH_ROUNDS:-8}"
export MVC_CORRUPTION_TRIALS="${MVC_CORRUPTION_TRIALS:-12}"
cd "$BUILD"
ctest --output-on-failure "$@"
