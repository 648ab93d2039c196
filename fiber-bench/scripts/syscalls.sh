#!/usr/bin/env bash
# System calls per echo round trip at saturation: each echo server is warmed up, then traced with
# `strace -c -f -p` while the harness client makes a fixed number of 64-byte round trips on 100
# connections. The physical floor is one read and one write per round trip. Writes
# results/syscalls.tsv and results/syscalls.md.
#
#   syscalls.sh [--connections 100] [--messages 500 (per connection)] [--size 64]
#               [--servers "fiberio netty vthreads"] [--threads <nproc>]
# Default run: about 2 minutes (strace slows the traced server down a lot; counts, not speed, matter).
source "$(dirname "$0")/lib.sh"

CONNECTIONS=100 MESSAGES=500 SIZE=64 SERVERS="fiberio netty vthreads"
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) CONNECTIONS=$2 ;; --messages) MESSAGES=$2 ;; --size) SIZE=$2 ;;
    --servers) SERVERS=$2 ;; --threads) SERVER_THREADS=$2 ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
  shift 2
done
if ! command -v strace >/dev/null 2>&1; then
  echo "installing strace ..." >&2
  apt-get update -qq && apt-get install -y -qq strace >&2
fi
build_jar

client() { # TIME_LIMIT_SECONDS PORT, then client options
  local limit=$1 port=$2
  shift 2
  timeout "$limit" "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.fiberio.bench.load.EchoLoadClient --port "$port" \
    --connections "$CONNECTIONS" --size "$SIZE" --format tsv "$@"
}

TSV="$RESULTS/syscalls.tsv"
printf 'workload\tserver\tsyscalls/rt\treads/rt\tEAGAIN reads/rt\twrites/rt\tepoll_wait/rt\tepoll_ctl/rt\tfutex/rt\tother/rt\n' >"$TSV"
for server in $SERVERS; do
  start_server echo "$server"
  echo "$server: warm-up ..." >&2
  client 60 "$SERVER_PORT" --warmup 0 --duration 5 >/dev/null
  out="$RAW/strace-$server.txt"
  strace -c -f -p "$SERVER_PID" -o "$out" 2>"$RAW/strace-$server.err" &
  tracer=$!
  STARTED_PIDS+=("$tracer")
  for i in $(seq 200); do
    grep -q 'attached' "$RAW/strace-$server.err" && break
    sleep 0.1
  done
  echo "$server: traced, $CONNECTIONS x $MESSAGES round trips ..." >&2
  line=$(client 400 "$SERVER_PORT" --messages "$MESSAGES" --duration 300)
  kill -INT "$tracer"
  wait "$tracer" || true
  read -r _ _ _ done errors <<<"$line"
  [ "$errors" = 0 ] || echo "$server: $errors client errors while traced" >&2
  printf 'echo %sB x %s conns\t%s\t%s\n' "$SIZE" "$CONNECTIONS" "$server" \
    "$(report strace --in "$out" --messages "$done")" >>"$TSV"
  stop_pid "$SERVER_PID"
done
stop_all

{
  echo "## System calls per echo round trip (strace -c -f, loopback)"
  echo
  machine_header
  echo "- load: harness client, $CONNECTIONS connections x $MESSAGES round trips of $SIZE bytes," \
       "closed loop; every thread of the server traced, after a 5 s untraced warm-up"
  echo "- columns per round trip: reads (read/recvfrom/readv/recvmsg; EAGAIN = reads that found" \
       "nothing), writes (write/sendto/writev/sendmsg), epoll_wait/epoll_pwait, epoll_ctl, futex" \
       "(thread park/wake), other (JVM housekeeping, accept, ...). Floor: 1 read + 1 write"
  echo
  report table --in "$TSV" --baseline fiberio --ratio "syscalls/rt,futex/rt"
  echo
  echo "Ratios are fiberio ÷ the row's server: below 1 favours fiberio."
} >"$RESULTS/syscalls.md"
cat "$RESULTS/syscalls.md"
