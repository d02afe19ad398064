#!/usr/bin/env bash
# bench/run.sh: runs mvc and its peers (zstd, xz, ZipNN-style byte grouping and XOR delta,
# xdelta3, restic, git gc, full copies) on the same real weight files, plus the entropy floors,
# and writes bench/results/<timestamp>/results.{md,json} (+ bench/results/latest).
#
#   bench/run.sh                  full run (all workloads, 3 repeats; generates bench/cache/train_run once)
#   bench/run.sh --quick          one small model + the BF16 run + unchanged/one-tensor, 1 repeat (< 3 min)
#   options: --mvc PATH (default $MVC, then build/cli/mvc)   --workloads a,b (names or prefixes: model,
#            pair, run-bf16, run-full, run-long, unchanged, one-tensor)   --repeats N   --out DIR
#            --check (fail unless results.md has a well-formed table with a numeric mvc row)
#            --no-train (full run without generating the long training run)
# See bench/README.md for what each figure means.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0 CHECK=0 TRAIN=1 MVC_BIN="${MVC:-}" WORKLOADS="" REPEATS=0 OUT=""
ORIG_ARGS="$*"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --check) CHECK=1 ;;
    --no-train) TRAIN=0 ;;
    --mvc) MVC_BIN="${2:?--mvc needs a path}"; shift ;;
    --workloads) WORKLOADS="${2:?--workloads needs a list}"; shift ;;
    --repeats) REPEATS="${2:?--repeats needs a number}"; shift ;;
    --out) OUT="${2:?--out needs a directory}"; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "bench/run.sh: $*" >&2; exit 1; }

# Tools: fail with the package to install rather than halfway through a run.
for spec in zstd:zstd xz:xz-utils xdelta3:xdelta3 restic:restic git:git du:coreutils; do
  command -v "${spec%%:*}" >/dev/null 2>&1 || die "missing tool '${spec%%:*}': apt-get install -y ${spec#*:}"
done
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time: apt-get install -y time"
[[ -x /usr/bin/python3 ]] || die "missing /usr/bin/python3: apt-get install -y python3"
/usr/bin/python3 -c 'import numpy, zstandard' 2>/dev/null \
  || die "python modules numpy/zstandard missing: apt-get install -y python3-numpy python3-zstandard"
DATA="$ROOT/../shared/data"
[[ -d "$DATA/models" && -d "$DATA/run" && -d "$DATA/pairs" ]] || die "shared data not found at $DATA"
for t in bounds.py sequence_floor.py train_checkpoints.py; do
  [[ -f "$ROOT/../shared/tools/$t" ]] || die "missing $ROOT/../shared/tools/$t"
done

if [[ -z "$MVC_BIN" ]]; then MVC_BIN="$ROOT/build/cli/mvc"; fi
if [[ ! -x "$MVC_BIN" ]]; then
  [[ $CHECK -eq 1 ]] && die "--check needs the mvc binary, not found at $MVC_BIN"
  echo "bench/run.sh: note: mvc binary not found at $MVC_BIN; its rows will read n/a" >&2
  MVC_BIN=""
fi

# The longer training run is generated once (about 10 minutes on 2 cores) and cached.
CACHE="$ROOT/bench/cache"
if [[ $QUICK -eq 0 && $TRAIN -eq 1 && ! -f "$CACHE/train_run/.complete" ]]; then
  /usr/bin/python3 -c 'import torch' 2>/dev/null \
    || die "the long run needs torch: apt-get install -y python3-torch libopenblas0-pthread (or pass --no-train)"
  echo "bench/run.sh: generating bench/cache/train_run (once, ~10 min; log in bench/cache/train_run.log)" >&2
  mkdir -p "$CACHE"
  rm -rf "$CACHE/train_run.partial"
  nice -n 19 /usr/bin/python3 "$ROOT/../shared/tools/train_checkpoints.py" "$CACHE/train_run.partial" \
    > "$CACHE/train_run.log" 2>&1 || die "train_checkpoints.py failed; see $CACHE/train_run.log"
  mv "$CACHE/train_run.partial" "$CACHE/train_run"
  touch "$CACHE/train_run/.complete"
fi

LINK_LATEST=0
if [[ -z "$OUT" ]]; then
  OUT="$ROOT/bench/results/$(date +%Y%m%d-%H%M%S)"
  LINK_LATEST=1
fi
mkdir -p "$OUT"

args=(--root "$ROOT" --out "$OUT" --mvc "$MVC_BIN" --repeats "$REPEATS" --command "bench/run.sh $ORIG_ARGS")
[[ $QUICK -eq 1 ]] && args+=(--quick)
[[ -n "$WORKLOADS" ]] && args+=(--workloads "$WORKLOADS")
/usr/bin/python3 "$ROOT/bench/harness.py" "${args[@]}"

if [[ $LINK_LATEST -eq 1 ]]; then
  ln -sfn "$(basename "$OUT")" "$ROOT/bench/results/latest"
fi
if [[ $CHECK -eq 1 ]]; then
  /usr/bin/python3 "$ROOT/bench/check_table.py" "$OUT/results.md" ${MVC_BIN:+--require-mvc}
fi
echo "$OUT/results.md"
