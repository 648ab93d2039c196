/**
 * JMH micro-benchmarks: fiberio against JDK virtual threads and platform threads. Each benchmark
 * class holds one measurement with one method per contender, so every contender of a family runs
 * with the same {@link org.openjdk.jmh.annotations.Fork} flags and the table can show the ratio
 * fiberio/contender from the same run. Run them with {@code fiber-bench/scripts/jmh.sh}.
 */
package dev.fiberio.bench.jmh;
