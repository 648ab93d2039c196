#!/usr/bin/env bash
# Usage: mvn-with-stack-dumps.sh SECONDS COMMAND [ARGS...]
#
# Runs COMMAND (a Maven test run). If it is still running after SECONDS, writes the thread stacks of
# every Surefire test JVM (jcmd PID Thread.print) to target/thread-dumps/, then keeps waiting: a hung
# test thus leaves its stacks behind even when Surefire's fork timeout or the job timeout kills it
# later. SECONDS must be below Surefire's forkedProcessTimeoutInSeconds and the step's timeout.
# Exits with COMMAND's status.
set -uo pipefail
dump_after="$1"
shift
dumps="$(pwd)/target/thread-dumps"
mkdir -p "$dumps"

"$@" &
command_pid=$!

(
  sleep "$dump_after"
  echo "mvn-with-stack-dumps: still running after ${dump_after}s; dumping the test JVMs' stacks to $dumps" >&2
  jcmd -l | awk '/surefire|ForkedBooter/ { print $1 }' | while read -r pid; do
    jcmd "$pid" Thread.print -l > "$dumps/jvm-$pid-$(date +%H%M%S).txt" 2>&1
  done
) &
watchdog_pid=$!

wait "$command_pid"
status=$?
kill "$watchdog_pid" 2>/dev/null
exit "$status"
