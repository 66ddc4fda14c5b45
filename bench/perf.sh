#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Instruction-level profile of streams' emulator side with Linux perf and V8's
# jitdump: bench/perf.sh STREAM[,STREAM] [seconds] [CPU]. Everything perf and
# node write goes to a temporary directory (printed), not the tree. Then:
#   perf report -i DIR/perf.jit.data --sort symbol
#   perf annotate -i DIR/perf.jit.data --stdio -s 'JS:*lookup file:///…'
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/bpfemu-perf.XXXXXX)
cd "$dir"
taskset -c "${3:-1}" perf record -k 1 -e cpu-clock -F 5000 -o "$dir/perf.data" -- \
  node --perf-prof --import "$root/node_modules/tsx/dist/loader.mjs" "$root/bench/prof.ts" "${1:-hash-lookup}" "${2:-3}"
perf inject --jit -i "$dir/perf.data" -o "$dir/perf.jit.data"
perf report -i "$dir/perf.jit.data" --sort symbol 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25 | cut -c1-140
echo "profile in $dir"
