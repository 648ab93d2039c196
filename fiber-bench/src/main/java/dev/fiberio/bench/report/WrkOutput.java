package dev.fiberio.bench.report;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of one {@code wrk --latency} run, parsed from its text output.
 *
 * @param requestsPerSecond the {@code Requests/sec} line
 * @param p50Millis         the 50% line of the latency distribution, in milliseconds
 * @param p99Millis         the 99% line, in milliseconds
 * @param errors            socket errors (connect, read, write, timeout) plus non-2xx/3xx responses
 */
public record WrkOutput(double requestsPerSecond, double p50Millis, double p99Millis, long errors) {
    private static final Pattern RPS = Pattern.compile("^Requests/sec:\\s+([0-9.]+)", Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /**
     * Parses wrk's output.
     *
     * @param text what {@code wrk --latency} printed
     * @return the figures
     * @throws IllegalArgumentException if a figure is missing (wrk failed or ran without --latency)
     */
    public static WrkOutput parse(String text) {
        Matcher rps = RPS.matcher(text);
        if (!rps.find()) {
            throw new IllegalArgumentException("no Requests/sec line in wrk output:\n" + text);
        }
        long errors = 0;
        Matcher se = SOCKET_ERRORS.matcher(text);
        if (se.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(se.group(g));
            }
        }
        Matcher bad = NON_2XX.matcher(text);
        if (bad.find()) {
            errors += Long.parseLong(bad.group(1));
        }
        return new WrkOutput(Double.parseDouble(rps.group(1)), percentile(text, "50%"), percentile(text, "99%"), errors);
    }

    /** A latency-distribution line such as {@code "     99%    1.23ms"}, in milliseconds. */
    private static double percentile(String text, String label) {
        Matcher m = Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE)
                .matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + label + " latency line in wrk output (run it with --latency)");
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1_000;
            case "ms" -> v;
            case "s" -> v * 1_000;
            default -> v * 60_000; // "m": minutes
        };
    }

    /**
     * The figures as tab-separated fields: req/s, p50 ms, p99 ms, errors.
     *
     * @return the fields
     */
    public String tsv() {
        return String.format(Locale.ROOT, "%.0f\t%.3f\t%.3f\t%d", requestsPerSecond, p50Millis, p99Millis, errors);
    }
}
