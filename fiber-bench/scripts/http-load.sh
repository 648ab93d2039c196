#!/usr/bin/env bash
# HTTP/1.1 plaintext keep-alive with wrk: fiberio's HTTP example vs Netty 4.2 epoll vs the same
# blocking handler on JDK virtual threads, at 16, 256 and 1,024 connections on loopback.
# All servers run at once (idle when not loaded); each connection count is measured in --rounds
# rounds that visit the servers in turn, and the table shows each server's median round.
# Writes results/http.tsv, results/http.md (table with ratios) and results/http-rps.svg (chart).
#
# With --tls: HTTPS instead (TLS 1.3, a self-signed ECDSA P-256 certificate, the JDK's provider on
# both sides: fiberio's FiberTlsSocket vs Netty's SslHandler), fiberio and netty only; writes
# results/https.* instead.
#
#   http-load.sh [--tls] [--duration 5] [--rounds 3] [--warmup 10] [--connections "16 256 1024"]
#                [--wrk-threads 2] [--servers "fiberio netty vthreads"] [--threads <nproc>]
#                [--server-cpus 0 --load-cpus 1]   (taskset pinning; with --threads 1 for one core each)
# Default run: about 3.5 minutes.
source "$(dirname "$0")/lib.sh"

DURATION=5 ROUNDS=3 WARMUP=10 CONNECTIONS="16 256 1024" WRK_THREADS=2 SERVERS="fiberio netty vthreads"
KIND=http
if [ "${1:-}" = --tls ]; then
  KIND=https SERVERS="fiberio netty"
  shift
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2 ;; --rounds) ROUNDS=$2 ;; --warmup) WARMUP=$2 ;; --connections) CONNECTIONS=$2 ;;
    --wrk-threads) WRK_THREADS=$2 ;; --servers) SERVERS=$2 ;; --threads) SERVER_THREADS=$2 ;;
    --server-cpus) SERVER_CPUS=$2 ;; --load-cpus) LOAD_CPUS=$2 ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
  shift 2
done

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk ..." >&2
  apt-get update -qq && apt-get install -y -qq wrk >&2
fi
build_jar
echo "open-file limit: $(raise_fd_limit)" >&2

# wrk_run SERVER CONNECTIONS SECONDS [wrk options...]: one bounded wrk run against SERVER.
wrk_run() {
  local server=$1 c=$2 secs=$3 t
  shift 3
  t=$(( WRK_THREADS < c ? WRK_THREADS : c ))
  on_cpus "$LOAD_CPUS" timeout $((secs + 30)) wrk -t "$t" -c "$c" -d "${secs}s" --timeout 5s "$@" "$KIND://127.0.0.1:${PORT[$server]}/"
}

declare -A PORT
for server in $SERVERS; do
  start_server "$KIND" "$server"
  PORT[$server]=$SERVER_PORT
done
for server in $SERVERS; do
  echo "$server: ${WARMUP}s warm-up at 256 connections ..." >&2
  wrk_run "$server" 256 "$WARMUP" >/dev/null
done

ROUNDS_TSV="$RAW/$KIND-rounds.tsv"
printf 'connections\tserver\treq/s\tp50 ms\tp99 ms\terrors\n' >"$ROUNDS_TSV"
for c in $CONNECTIONS; do
  for server in $SERVERS; do
    wrk_run "$server" "$c" 2 >/dev/null
  done
  for round in $(seq "$ROUNDS"); do
    for server in $SERVERS; do
      echo "$c connections, round $round/$ROUNDS: $server (${DURATION}s) ..." >&2
      out="$RAW/wrk-$KIND-$server-$c-$round.txt"
      wrk_run "$server" "$c" "$DURATION" --latency >"$out"
      printf '%s\t%s\t%s\n' "$c" "$server" "$(report wrk --in "$out")" >>"$ROUNDS_TSV"
    done
  done
done
stop_all

TSV="$RESULTS/$KIND.tsv"
report median --in "$ROUNDS_TSV" --out "$TSV"
{
  if [ "$KIND" = https ]; then
    echo "## HTTPS (HTTP/1.1 over TLS, keep-alive; wrk --latency, loopback)"
  else
    echo "## HTTP/1.1 plaintext, keep-alive (wrk --latency, loopback)"
  fi
  echo
  machine_header
  echo "- load: wrk, $WRK_THREADS threads; ${WARMUP}s warm-up per server, then per connection count 2s" \
       "warm-up and $ROUNDS rounds of ${DURATION}s visiting the servers in turn; each row is the" \
       "server's median round. \`GET /\` answers 13 bytes of text/plain"
  echo
  report table --in "$TSV" --baseline fiberio --ratio "req/s,p50 ms,p99 ms"
  echo
  echo "Ratios are fiberio ÷ the row's server, from the same run: above 1 favours fiberio for req/s," \
       "below 1 favours fiberio for latency."
  echo
  echo "![requests/s vs connections]($KIND-rps.svg)"
} >"$RESULTS/$KIND.md"
report chart --in "$TSV" --metric "req/s" --out "$RESULTS/$KIND-rps.svg" \
  --title "$KIND keep-alive, loopback, $(nproc) cores" --x-label connections --y-label "requests/s"
cat "$RESULTS/$KIND.md"
