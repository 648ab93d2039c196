#!/usr/bin/env bash
# TCP echo, 64-byte messages, 100 and 1,000 connections: fiberio's echo example vs Netty epoll vs
# virtual threads, loaded by the harness's own Java client (NIO selector threads; the same client
# for every server). All servers run at once; each connection count is measured in --rounds rounds
# that visit the servers in turn, and the table shows each server's median round.
# Writes results/echo.tsv and results/echo.md.
#
#   echo-load.sh [--duration 5] [--rounds 3] [--warmup 5] [--connections "100 1000"] [--size 64]
#                [--client-threads 1] [--servers "fiberio netty vthreads"] [--threads <nproc>]
#                [--server-cpus 0 --load-cpus 1]   (taskset pinning; with --threads 1 for one core each)
# Default run: about 2 minutes.
source "$(dirname "$0")/lib.sh"

DURATION=5 ROUNDS=3 WARMUP=5 CONNECTIONS="100 1000" SIZE=64 CLIENT_THREADS=1 SERVERS="fiberio netty vthreads"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2 ;; --rounds) ROUNDS=$2 ;; --warmup) WARMUP=$2 ;; --connections) CONNECTIONS=$2 ;;
    --size) SIZE=$2 ;; --client-threads) CLIENT_THREADS=$2 ;; --servers) SERVERS=$2 ;; --threads) SERVER_THREADS=$2 ;;
    --server-cpus) SERVER_CPUS=$2 ;; --load-cpus) LOAD_CPUS=$2 ;;
    *) sed -n '2,11p' "$0"; exit 2 ;;
  esac
  shift 2
done
build_jar
echo "open-file limit: $(raise_fd_limit)" >&2

# load SERVER CONNECTIONS WARMUP DURATION: one bounded client run; prints the client's TSV line.
load() {
  on_cpus "$LOAD_CPUS" timeout $(($3 + $4 + 60)) "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.fiberio.bench.load.EchoLoadClient \
    --port "${PORT[$1]}" --connections "$2" --size "$SIZE" --threads "$CLIENT_THREADS" \
    --warmup "$3" --duration "$4" --format tsv
}

declare -A PORT
for server in $SERVERS; do
  start_server echo "$server"
  PORT[$server]=$SERVER_PORT
done
for server in $SERVERS; do
  echo "$server: ${WARMUP}s warm-up at 100 connections ..." >&2
  load "$server" 100 0 "$WARMUP" >/dev/null
done

ROUNDS_TSV="$RAW/echo-rounds.tsv"
printf 'connections\tserver\tmsgs/s\tp50 us\tp99 us\tmessages\terrors\n' >"$ROUNDS_TSV"
for c in $CONNECTIONS; do
  for round in $(seq "$ROUNDS"); do
    for server in $SERVERS; do
      echo "$c connections, round $round/$ROUNDS: $server (1s warm-up + ${DURATION}s) ..." >&2
      printf '%s\t%s\t%s\n' "$c" "$server" "$(load "$server" "$c" 1 "$DURATION")" >>"$ROUNDS_TSV"
    done
  done
done
stop_all

TSV="$RESULTS/echo.tsv"
report median --in "$ROUNDS_TSV" --out "$TSV"
{
  echo "## TCP echo, $SIZE-byte messages (harness Java client, loopback)"
  echo
  machine_header
  echo "- load: EchoLoadClient, $CLIENT_THREADS selector thread(s), closed loop with one message in flight" \
       "per connection, every echo checked; ${WARMUP}s warm-up per server, then $ROUNDS rounds of" \
       "(1s warm-up + ${DURATION}s) visiting the servers in turn; each row is the server's median round"
  echo
  report table --in "$TSV" --baseline fiberio --ratio "msgs/s,p50 us,p99 us"
  echo
  echo "Ratios are fiberio ÷ the row's server, from the same run: above 1 favours fiberio for msgs/s," \
       "below 1 favours fiberio for latency."
} >"$RESULTS/echo.md"
cat "$RESULTS/echo.md"
