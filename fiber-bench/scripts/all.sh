#!/usr/bin/env bash
# Every benchmark of the harness, one after the other, then results/summary.md with all tables.
# Arguments are not forwarded; run the single scripts for longer or narrower runs.
# Default run: about 12 minutes.
source "$(dirname "$0")/lib.sh"
build_jar
export BENCH_SKIP_BUILD=1
dir=$(dirname "$0")
"$dir/jmh.sh"
"$dir/http-load.sh"
"$dir/echo-load.sh"
"$dir/idle-memory.sh"
"$dir/syscalls.sh"
{
  echo "# fiberio benchmark results"
  for part in jmh http echo idle-memory syscalls; do
    echo
    cat "$RESULTS/$part.md"
  done
} >"$RESULTS/summary.md"
echo "all results: $RESULTS/summary.md" >&2
