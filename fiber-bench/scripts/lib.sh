# Shared by the fiber-bench scripts (source it; do not run it). Finds the JDK through the repo's
# ./fiberio launcher, builds target/benchmarks.jar, starts and stops the servers (every server it
# started is stopped on exit), and prints the machine and settings every result table carries.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
RESULTS="$BENCH_DIR/results"
RAW="$RESULTS/raw"
JAR="$BENCH_DIR/target/benchmarks.jar"
# USEJAR=<jar> runs another build of the benchmarks jar (an A/B of two commits), without building.
if [ -n "${USEJAR:-}" ]; then
  JAR=$USEJAR
  BENCH_SKIP_BUILD=1
fi
JAVA_HOME_BENCH=$("$ROOT/fiberio" java-home)
JAVA="$JAVA_HOME_BENCH/bin/java"
JCMD="$JAVA_HOME_BENCH/bin/jcmd"
# The same JVM flags for every contender, servers and load clients alike. The first two are what
# fiberio needs; the others harmless to the rest. Logging at WARN keeps per-connection debug out.
JVM_FLAGS=(--add-exports java.base/jdk.internal.vm=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -XX:LockingMode=1
           -Xms2g -Xmx2g -XX:+UseG1GC -Dfiberio.log.level=WARN)
# BENCH_EXTRA_FLAGS (space-separated) adds flags for an A/B run, e.g. -Dfiberio.epoll.mode=threads.
if [ -n "${BENCH_EXTRA_FLAGS:-}" ]; then
  read -r -a _extra <<<"$BENCH_EXTRA_FLAGS"
  JVM_FLAGS+=("${_extra[@]}")
fi
SERVER_THREADS=$(nproc)
# CPU pinning (taskset -c lists), e.g. BENCH_SERVER_CPUS=0 BENCH_LOAD_CPUS=1 with --threads 1: the
# server's worker on one core, the load generator on the other. Empty: no pinning.
SERVER_CPUS=${BENCH_SERVER_CPUS:-}
LOAD_CPUS=${BENCH_LOAD_CPUS:-}
STARTED_PIDS=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$RESULTS" "$RAW"

# Builds the uber-jar unless BENCH_SKIP_BUILD=1 (all.sh builds once for every script).
build_jar() {
  if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
    echo "building $JAR ..." >&2
    "$ROOT/fiberio" mvn -q -pl :fiberio-bench -am package -DskipTests >&2
  fi
}

# server_class KIND CONTENDER -> the main class (KIND: http|echo; CONTENDER: fiberio|fiberio-uring|netty|netty-uring|vthreads)
server_class() {
  case "$2" in
    fiberio|fiberio-uring) echo "dev.fiberio.bench.servers.Fiberio${1^}Server" ;;
    netty|netty-uring) echo "dev.fiberio.bench.servers.Netty${1^}Server" ;;
    vthreads) echo "dev.fiberio.bench.servers.VirtualThread${1^}Server" ;;
    *) echo "unknown contender '$2' (fiberio, fiberio-uring, netty, netty-uring, vthreads)" >&2; return 2 ;;
  esac
}

# start_server KIND CONTENDER: starts it on a free loopback port with SERVER_THREADS threads and
# waits (at most 30 s) for its "listening" line. Sets SERVER_PID and SERVER_PORT.
start_server() {
  local log="$RAW/server-$1-$2.log" class
  class=$(server_class "$1" "$2")
  local provider=()
  [ "$2" = fiberio-uring ] && provider=(-Dfiberio.net.provider=uring)
  [ "$2" = netty-uring ] && provider=(-Dfiberio.bench.netty.transport=io_uring)
  on_cpus "$SERVER_CPUS" "$JAVA" "${JVM_FLAGS[@]}" "${provider[@]}" -cp "$JAR" "$class" --port 0 --threads "$SERVER_THREADS" >"$log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  local i
  for i in $(seq 300); do
    SERVER_PORT=$(sed -n 's/^listening .* port=\([0-9]*\) .*/\1/p' "$log")
    [ -n "$SERVER_PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "$2 $1 server did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

# on_cpus CPUS COMMAND...: runs COMMAND pinned to CPUS (a taskset list), or unpinned when CPUS is
# empty. exec, so that a background job's $! is the command's own pid.
on_cpus() {
  local cpus=$1
  shift
  if [ -n "$cpus" ]; then
    exec_or_run taskset -c "$cpus" "$@"
  else
    exec_or_run "$@"
  fi
}
exec_or_run() {
  if [ "${BASH_SUBSHELL:-0}" -gt 0 ]; then exec "$@"; else "$@"; fi
}

# stop_pid PID: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    stop_pid "$pid"
  done
  STARTED_PIDS=()
}
trap stop_all EXIT

# Runs one of the harness's Java tools (report, load client) with the common flags.
bench_java() {
  "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" "$@"
}

report() {
  bench_java dev.fiberio.bench.report.Report "$@"
}

# The machine and settings, as a Markdown list, for the head of every result file.
machine_header() {
  local cpu jdk
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
  jdk=$("$JAVA" -version 2>&1 | sed -n 2p)
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) cores ($cpu), $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr);" \
       "the load generator and the server share these cores"
  echo "- JDK: $jdk"
  echo "- JVM flags, every contender: \`${JVM_FLAGS[*]}\`"
  echo "- server threads, every contender: $SERVER_THREADS (fiberio workers, Netty event loops," \
       "virtual-thread carriers); fiberio's idle workers poll epoll or their io_uring ring themselves, the JDK runs its read pollers"
  echo "- CPU pinning: server ${SERVER_CPUS:-not pinned}, load generator ${LOAD_CPUS:-not pinned} (taskset -c);" \
       "load average before the run: $LOAD_BEFORE"
}

# Raises the open-file limit as far as the hard limit allows; prints the result.
raise_fd_limit() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  ulimit -n
}
