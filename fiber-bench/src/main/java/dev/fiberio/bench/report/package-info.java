/**
 * Turns raw benchmark output into the published tables and chart: parsers for wrk, {@code strace -c}
 * and JMH CSV output, a ratio table (fiberio ÷ each contender, from the same run) rendered as
 * Markdown, and an SVG line chart written by hand. The shell scripts call these through
 * {@link dev.fiberio.bench.report.Report}.
 */
package dev.fiberio.bench.report;
