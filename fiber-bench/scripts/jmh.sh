#!/usr/bin/env bash
# JMH micro-benchmarks: fiberio vs JDK virtual threads vs platform threads (yield, park/unpark
# ping-pong, channel ping-pong when available, spawn+join of 100,000). Every contender of a
# benchmark class runs with the same @Fork JVM flags. Extra arguments go to JMH, e.g.
#   jmh.sh                       all benchmarks, the classes' defaults (1 fork, 3x1s warm-up, 5x1s)
#   jmh.sh -f 3 -wi 5 -i 10      longer and more forks
#   jmh.sh YieldBench            one class
# Writes results/jmh.tsv and results/jmh.md. Default run: about 2 minutes.
source "$(dirname "$0")/lib.sh"
build_jar

CSV="$RAW/jmh.csv"
# English locale: JMH writes CSV numbers with the JVM's decimal separator.
"$JAVA" -Duser.language=en -Duser.country=US -jar "$JAR" -rf csv -rff "$CSV" "$@" | tee "$RAW/jmh.txt"
report jmh --in "$CSV" --out "$RESULTS/jmh.tsv"
{
  echo "## JMH micro-benchmarks (ns per operation, lower is better)"
  echo
  machine_header | grep -v -e 'JVM flags' -e 'server threads'
  echo "- JVM flags, every contender: the benchmark class's @Fork flags (BenchFlags: the two fiberio" \
       "flags, -Xms1g -Xmx1g, and the virtual-thread carrier count equal to the fiberio worker count)"
  echo "- JMH arguments: ${*:-(class defaults: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement)}"
  echo
  report table --in "$RESULTS/jmh.tsv" --baseline fiberio --ratio score
  echo
  echo "Ratios are fiberio ÷ the row's contender, from the same run: below 1 favours fiberio."
} >"$RESULTS/jmh.md"
cat "$RESULTS/jmh.md"
