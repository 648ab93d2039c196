#!/usr/bin/env bash
# Server CPU per message or request, user vs system: each server (one worker on CPU 0, load generator
# on CPU 1; with --threads 2 or more, nothing is pinned) is warmed up, then its utime/stime from
# /proc/<pid>/stat are read before and after each measured run. Prints jiffies (10 ms) per 1,000 messages or requests. A cost, not a speed: it
# does not need the server to be saturated, so it still compares servers when the load generator is
# the bottleneck (which throughput tables cannot). All servers run at once; rounds visit them in turn.
#
#   cpu-split.sh [--kind echo|http] [--connections 100] [--duration 10] [--rounds 1]
#                [--threads 1] [--servers "fiberio netty"]        (or the servers as the only argument)
#   JFR=1 also records a JFR profile per server into results/raw/<kind>-<server>.jfr;
#   USEJAR=<jar> runs another build of the benchmarks jar.
cd "$(dirname "$0")/../.."
source fiber-bench/scripts/lib.sh

KIND=echo CONNECTIONS=100 DURATION=10 ROUNDS=1 SERVERS="fiberio netty" THREADS=1
if [ $# -eq 1 ] && [ "${1#--}" = "$1" ]; then
  SERVERS=$1
  shift
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) KIND=$2 ;; --connections) CONNECTIONS=$2 ;; --duration) DURATION=$2 ;; --rounds) ROUNDS=$2 ;;
    --servers) SERVERS=$2 ;; --threads) THREADS=$2 ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
  shift 2
done
case "$KIND" in echo|http) ;; *) echo "--kind is echo or http" >&2; exit 2 ;; esac
if [ "$KIND" = http ] && ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk ..." >&2
  apt-get update -qq && apt-get install -y -qq wrk >&2
fi
build_jar
echo "open-file limit: $(raise_fd_limit)" >&2
SERVER_THREADS=$THREADS SERVER_CPUS= LOAD_CPUS=
if [ "$THREADS" = 1 ]; then
  SERVER_CPUS=0 LOAD_CPUS=1
fi

# load SERVER WARMUP SECONDS: one load run; prints the number of messages or requests it completed.
load() {
  if [ "$KIND" = echo ]; then
    on_cpus "$LOAD_CPUS" "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.fiberio.bench.load.EchoLoadClient --port "${PORT[$1]}" \
      --connections "$CONNECTIONS" --size 64 --threads 1 --format tsv --warmup "$2" --duration "$3" | cut -f4
  else
    [ "$2" -gt 0 ] && on_cpus "$LOAD_CPUS" wrk -t1 -c "$CONNECTIONS" -d "${2}s" "http://127.0.0.1:${PORT[$1]}/" >/dev/null
    on_cpus "$LOAD_CPUS" wrk -t1 -c "$CONNECTIONS" -d "${3}s" --timeout 5s "http://127.0.0.1:${PORT[$1]}/" |
      sed -n 's/^ *\([0-9]*\) requests in .*/\1/p'
  fi
}

declare -A PORT PID
for s in $SERVERS; do
  saved=("${JVM_FLAGS[@]}")
  [ -n "${JFR:-}" ] && JVM_FLAGS+=(-XX:StartFlightRecording=filename=$RAW/$KIND-$s.jfr,settings=profile,delay=8s,duration=10s)
  start_server "$KIND" "$s"
  JVM_FLAGS=("${saved[@]}")
  PORT[$s]=$SERVER_PORT PID[$s]=$SERVER_PID
  load "$s" 5 2 >/dev/null
done
unit=$([ "$KIND" = echo ] && echo messages || echo requests)
for round in $(seq "$ROUNDS"); do
  for s in $SERVERS; do
    pid=${PID[$s]}
    read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    n=$(load "$s" 0 "$DURATION")
    read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    printf '%s\t%s conns, %s worker(s)\tround %s\t%s %s\tuser %s\tsystem %s jiffies\tper 1,000 %s: user %s, system %s, total %s\n' \
      "$s" "$CONNECTIONS" "$THREADS" "$round" "$unit" "$n" $((u1 - u0)) $((s1 - s0)) "$unit" \
      "$(echo "scale=3; ($u1-$u0)*1000/$n" | bc)" "$(echo "scale=3; ($s1-$s0)*1000/$n" | bc)" \
      "$(echo "scale=3; ($u1-$u0+$s1-$s0)*1000/$n" | bc)"
  done
done
stop_all
