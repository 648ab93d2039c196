#!/usr/bin/env bash
# CPU per echo message, user vs system: each server (one worker on CPU 0) is warmed up, then its
# utime/stime from /proc/<pid>/stat are read before and after a 10 s echo run (100 connections,
# 64 bytes, load generator on CPU 1). Prints jiffies per 1,000 messages. A cost, not a speed: it does
# not need the server to be saturated.
#
#   cpu-split.sh [servers, default "fiberio netty"]; JFR=1 also records a JFR profile per server
#   into results/raw/echo-<server>.jfr; USEJAR=<jar> runs another build of the benchmarks jar.
cd "$(dirname "$0")/../.."
source fiber-bench/scripts/lib.sh
build_jar
SERVER_THREADS=1 SERVER_CPUS=0 LOAD_CPUS=1
for s in ${1:-fiberio netty}; do
  saved=("${JVM_FLAGS[@]}")
  [ -n "${JFR:-}" ] && JVM_FLAGS+=(-XX:StartFlightRecording=filename=$RAW/echo-$s.jfr,settings=profile,delay=8s,duration=10s)
  start_server echo "$s"
  JVM_FLAGS=("${saved[@]}")
  pid=$SERVER_PID
  client() { on_cpus "$LOAD_CPUS" "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.fiberio.bench.load.EchoLoadClient --port "$SERVER_PORT" --connections 100 --size 64 --threads 1 --format tsv "$@"; }
  client --warmup 5 --duration 2 >/dev/null
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(client --warmup 0 --duration 10)
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  msgs=$(echo "$out" | cut -f4)
  printf '%s\tmessages %s\tuser %s\tsystem %s jiffies\tper 1,000 messages: user %s, system %s\n' "$s" "$msgs" $((u1 - u0)) $((s1 - s0)) \
    "$(echo "scale=3; ($u1-$u0)*1000/$msgs" | bc)" "$(echo "scale=3; ($s1-$s0)*1000/$msgs" | bc)"
  stop_pid "$pid"
done
