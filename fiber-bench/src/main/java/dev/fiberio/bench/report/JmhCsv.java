package dev.fiberio.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Converts JMH's CSV result file ({@code -rf csv}) into the harness's TSV: group = benchmark class
 * without its {@code Bench} suffix, contender = benchmark method, then score and error. The harness
 * runs JMH with an English locale so that the decimal separator is a dot.
 */
public final class JmhCsv {
    /** The TSV header this converter writes. */
    public static final String HEADER = "benchmark\tcontender\tscore\terror (99.9%)\tunit";

    private JmhCsv() {
    }

    /**
     * Converts the CSV text.
     *
     * @param csv JMH's CSV output
     * @return the TSV table
     */
    public static Tsv toTsv(String csv) {
        List<String> lines = csv.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("empty JMH CSV");
        }
        List<String> header = fields(lines.getFirst());
        int bench = header.indexOf("Benchmark");
        int score = header.indexOf("Score");
        int error = header.indexOf("Score Error (99.9%)");
        int unit = header.indexOf("Unit");
        if (bench < 0 || score < 0 || error < 0 || unit < 0) {
            throw new IllegalArgumentException("not a JMH CSV header: " + lines.getFirst());
        }
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = fields(line);
            String name = f.get(bench);
            int method = name.lastIndexOf('.');
            String cls = name.substring(name.lastIndexOf('.', method - 1) + 1, method);
            rows.add(List.of(cls.endsWith("Bench") ? cls.substring(0, cls.length() - 5) : cls,
                    name.substring(method + 1), decimal(f.get(score)), decimal(f.get(error)), f.get(unit)));
        }
        return new Tsv(List.of(HEADER.split("\t")), rows);
    }

    private static String decimal(String s) {
        double v = Double.parseDouble(s);
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Splits one CSV line; fields may be double-quoted (JMH quotes strings, never embeds quotes). */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
