#!/usr/bin/env bash
# Builds fiber-stress/target/jcstress.jar and runs the jcstress suite.
#   ./run-jcstress.sh [quick|full] [extra jcstress args]
#     quick (default)  every test once, in one JVM configuration (C2, split compilation off): for CI,
#                      about 10 s per test on 2 cores
#     full             jcstress "default" mode over all its JVM configurations (interpreter, C1, C2,
#                      C2 with randomized scheduling) and split compilation: for people who stress-test;
#                      add "-m tough" or "-m stress" for longer runs
#   Extra arguments go to jcstress and replace ours of the same name, e.g. -t WaitVsSignal (a test
#   regexp), -v, -m tough, -time 2000.
# JCSTRESS_NO_BUILD=1 skips building the jar (the Maven build sets it when it runs this in "verify").
# Results: target/jcstress-results/ (index.html, one page per test, jcstress's .bin.gz blob, output.txt).
# Exit status: 0 if every test that ran had only acceptable outcomes; 1 on a forbidden or unknown outcome
# or a test error; 2 on a usage or build error.
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-quick}"
[ $# -gt 0 ] && shift
extra=("$@")

# The forked test VMs need the same two flags as every fiberio JVM; the host VM gets them from the
# jar's manifest (Add-Exports, Enable-Native-Access).
FLAGS="--add-exports java.base/jdk.internal.vm=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -XX:LockingMode=1"

# Races in code that issue 9's fixes did not touch run in full mode only, so that the quick run (CI) stays
# within about 6 minutes on 2 CPUs; -t in the extra arguments selects tests in quick mode too.
FULL_ONLY='RunQueueRaces|DumpVsResume|TimedWaits\.TimerVsSignal|SpawnVsClose'

user_gave() { local a; for a in "${extra[@]+"${extra[@]}"}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
args=()
opt() { user_gave "$1" || args+=("$1" "$2"); } # jcstress rejects an option given twice
case "$mode" in
  quick)
    opt -m quick; opt -iters 1; opt -time 500; opt -sc false; opt -pth false; opt -t "^(?!.*($FULL_ONLY)).*"
    opt -jvmArgs "$FLAGS" ;; # our flags only: disables jcstress's search over JVM configurations
  full)
    opt -m default
    opt -jvmArgsPrepend "$FLAGS" ;; # our flags before each configuration jcstress picks
  *) echo "usage: $0 [quick|full] [extra jcstress args]" >&2; exit 2 ;;
esac

JAVA_HOME=$(../fiberio java-home) || { echo "run-jcstress: no JDK 25 found by ../fiberio" >&2; exit 2; }
JAVA="$JAVA_HOME/bin/java"
if [ -z "${JCSTRESS_NO_BUILD:-}" ]; then # set by the Maven build, which has just built the jar
  (cd .. && ./fiberio mvn -q -pl :fiberio-stress -am package -DskipTests) || { echo "run-jcstress: build failed" >&2; exit 2; }
fi
JAR="$PWD/target/jcstress.jar"
[ -f "$JAR" ] || { echo "run-jcstress: $JAR is missing" >&2; exit 2; }

RESULTS="$PWD/target/jcstress-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
cd "$RESULTS" # jcstress writes its result blob into the working directory

set +e
"$JAVA" -jar "$JAR" "${args[@]}" -r "$RESULTS" "${extra[@]+"${extra[@]}"}" 2>&1 | tee "$RESULTS/output.txt"
rc=${PIPESTATUS[0]}
set -e

# jcstress exits 1 on a forbidden or unknown outcome and on a test error; its summary says so too.
if grep -Eq '^ *(Failed|Error) tests: [0-9]+ matching' "$RESULTS/output.txt"; then
  rc=1
fi
if grep -q 'No scheduling is possible' "$RESULTS/output.txt"; then
  echo "run-jcstress: NOTE: these tests need more CPUs than this machine has, and did not run:" >&2
  "$JAVA" -jar "$JAR" -l "${args[@]}" "${extra[@]+"${extra[@]}"}" 2>/dev/null | grep '^dev\.fiberio\.' | while read -r t; do
    [ -e "$RESULTS/$t.html" ] || echo "  $t" >&2
  done
fi
if [ "$rc" -ne 0 ]; then
  echo "run-jcstress: FAILED (jcstress exit $rc); see $RESULTS/index.html" >&2
  exit 1
fi
echo "run-jcstress: passed; report in $RESULTS/index.html"
