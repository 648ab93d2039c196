#!/usr/bin/env bash
# Memory per idle connection: 10,000 and 50,000 connections to an echo server, each parked in a read
# (a suspended fiber, a parked virtual thread, an idle Netty channel). Per contender and count: start
# the server, force a GC and read RSS (/proc/PID/status) and heap used (jcmd GC.heap_info), open the
# connections with the holder (one 1-byte round trip each), force a GC again and read both again.
# Before the first reading, --warmup-rounds rounds open and close the same number of connections, so
# that the server's code is compiled as in a running server: a fiber parked in interpreted frames keeps
# a stack chunk several times larger than one parked in compiled code.
# The table shows (after - before) / connections. Counts the open-file hard limit cannot hold are
# reported as skipped. Writes results/idle-memory.tsv and results/idle-memory.md.
#
#   idle-memory.sh [--connections "10000 50000"] [--servers "fiberio netty vthreads"] [--threads <nproc>]
#                  [--warmup-rounds 2]
#   HISTO=1 also takes a class histogram of live objects before and after (jcmd GC.class_histogram) and
#   prints the classes that grew most, in bytes per connection (results/raw/idle-<server>-<n>-classes.txt).
# Default run: about 1.5 minutes.
source "$(dirname "$0")/lib.sh"

CONNECTIONS="10000 50000" SERVERS="fiberio netty vthreads" WARMUP_ROUNDS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) CONNECTIONS=$2 ;; --servers) SERVERS=$2 ;; --threads) SERVER_THREADS=$2 ;;
    --warmup-rounds) WARMUP_ROUNDS=$2 ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
  shift 2
done
build_jar
FD_LIMIT=$(raise_fd_limit)
echo "open-file limit: $FD_LIMIT" >&2

# memory PID: prints "RSS_KiB HEAP_KiB" after a full GC.
memory() {
  "$JCMD" "$1" GC.run >/dev/null
  local rss heap
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$1/status")
  heap=$("$JCMD" "$1" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -n1)
  echo "$rss $heap"
}

TSV="$RESULTS/idle-memory.tsv"
printf 'connections\tserver\tRSS KiB/conn\theap KiB/conn\tRSS MiB\theap MiB\n' >"$TSV"
SKIPPED=""
for n in $CONNECTIONS; do
  if [ "$FD_LIMIT" -lt $((n + 1000)) ]; then
    echo "$n connections: skipped, the open-file limit ($FD_LIMIT) cannot hold them" >&2
    SKIPPED="$SKIPPED $n"
    for server in $SERVERS; do
      printf '%s\t%s\tskipped\tskipped\tskipped\tskipped\n' "$n" "$server" >>"$TSV"
    done
    continue
  fi
  for server in $SERVERS; do
    start_server echo "$server"
    for r in $(seq "$WARMUP_ROUNDS"); do
      echo "$server: warm-up round $r: $n connections opened and closed ..." >&2
      "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.fiberio.bench.load.IdleConnections --port "$SERVER_PORT" \
        --connections "$n" --hold 0 >"$RAW/idle-$server-$n-warmup.log" 2>&1 || { cat "$RAW/idle-$server-$n-warmup.log" >&2; exit 1; }
    done
    read -r rss0 heap0 < <(memory "$SERVER_PID")
    [ "${HISTO:-0}" = 1 ] && "$JCMD" "$SERVER_PID" GC.class_histogram >"$RAW/idle-$server-$n-histo0.txt"
    log="$RAW/idle-$server-$n.log"
    "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.fiberio.bench.load.IdleConnections --port "$SERVER_PORT" \
      --connections "$n" --hold 600 >"$log" 2>&1 &
    holder=$!
    STARTED_PIDS+=("$holder")
    echo "$server: opening $n idle connections ..." >&2
    for i in $(seq 3000); do
      grep -q '^held ' "$log" && break
      kill -0 "$holder" 2>/dev/null || { cat "$log" >&2; exit 1; }
      sleep 0.1
    done
    grep -q '^held ' "$log" || { echo "holder did not finish in 300 s" >&2; exit 1; }
    read -r rss1 heap1 < <(memory "$SERVER_PID")
    if [ "${HISTO:-0}" = 1 ]; then
      "$JCMD" "$SERVER_PID" GC.class_histogram >"$RAW/idle-$server-$n-histo1.txt"
      # lines "num: instances bytes class": bytes per connection of the classes that grew most
      awk -v n="$n" 'FNR == NR && $1 ~ /:$/ { before[$4] = $3; next }
                     $1 ~ /:$/ { d = ($3 - before[$4]) / n; if (d >= 1) printf "%8.1f B/conn  %s\n", d, $4 }' \
        "$RAW/idle-$server-$n-histo0.txt" "$RAW/idle-$server-$n-histo1.txt" | sort -rn | head -12 \
        | tee "$RAW/idle-$server-$n-classes.txt" | sed "s/^/$server: /" >&2
    fi
    awk -v n="$n" -v s="$server" -v r0="$rss0" -v r1="$rss1" -v h0="$heap0" -v h1="$heap1" 'BEGIN {
      printf "%s\t%s\t%.2f\t%.2f\t%.0f\t%.0f\n", n, s, (r1 - r0) / n, (h1 - h0) / n, r1 / 1024, h1 / 1024 }' >>"$TSV"
    stop_pid "$holder"
    stop_pid "$SERVER_PID"
  done
done
stop_all

{
  echo "## Memory per idle connection (echo servers, loopback)"
  echo
  machine_header
  echo "- $WARMUP_ROUNDS warm-up rounds opening and closing the same number of connections before 'before'" \
       "(a warm server: fibers park in compiled frames)"
  echo "- per connection: (after - before) / connections, both after a full GC (jcmd GC.run);" \
       "RSS from /proc/PID/status, heap used from jcmd GC.heap_info; totals are the 'after' values"
  echo "- fiberio's echo example takes a pooled 16 KiB buffer only while a connection has data" \
       "(tryRead, then awaitReadable without a buffer); the virtual-thread handler holds a 16 KiB" \
       "read buffer per connection; Netty allocates its read buffers only while reading"
  [ -n "$SKIPPED" ] && echo "- skipped:$SKIPPED connections: the open-file hard limit here is $(ulimit -Hn)," \
       "which this environment does not let a process raise"
  echo
  report table --in "$TSV" --baseline fiberio --ratio "RSS KiB/conn,heap KiB/conn"
  echo
  echo "Ratios are fiberio ÷ the row's server, from the same run: below 1 favours fiberio."
} >"$RESULTS/idle-memory.md"
cat "$RESULTS/idle-memory.md"
