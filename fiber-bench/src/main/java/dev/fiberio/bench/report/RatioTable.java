package dev.fiberio.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link Tsv} result as a Markdown table with, for each chosen metric, the ratio
 * baseline ÷ row (fiberio ÷ contender) against the baseline's row of the same group. The ratio is the
 * only figure meant for comparison: absolute numbers depend on this noisy 2-core machine, a ratio
 * from the same run much less.
 */
public final class RatioTable {
    private RatioTable() {
    }

    /**
     * Renders the table.
     *
     * @param tsv      the results: column 0 group, column 1 contender
     * @param baseline the contender every other is compared with (e.g. "fiberio")
     * @param metrics  the metric columns that get a ratio column
     * @return Markdown, one line per row, ending with a newline
     */
    public static String markdown(Tsv tsv, String baseline, List<String> metrics) {
        int[] metricCols = metrics.stream().mapToInt(tsv::column).toArray();
        List<String> header = new ArrayList<>(tsv.columns());
        for (String m : metrics) {
            header.add(baseline + "/" + tsv.columns().get(1) + " " + m);
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header);
        line(sb, header.stream().map(h -> "---").toList());
        for (List<String> row : tsv.rows()) {
            List<String> base = baselineRow(tsv, row.get(0), baseline);
            List<String> cells = new ArrayList<>(row);
            for (int c : metricCols) {
                cells.add(ratio(base, row, c));
            }
            line(sb, cells);
        }
        return sb.toString();
    }

    /**
     * The ratio baseline ÷ contender of one metric, two decimals.
     *
     * @param base   the baseline's row, or null if the group has none
     * @param row    the contender's row
     * @param column the metric column
     * @return the ratio, or "n/a" when a value is missing or the contender's is 0
     */
    static String ratio(List<String> base, List<String> row, int column) {
        if (base == null) {
            return "n/a";
        }
        double b = Tsv.number(base, column);
        double r = Tsv.number(row, column);
        if (Double.isNaN(b) || Double.isNaN(r) || r == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f", b / r);
    }

    private static List<String> baselineRow(Tsv tsv, String group, String baseline) {
        for (List<String> r : tsv.rows()) {
            if (r.get(0).equals(group) && r.get(1).equals(baseline)) {
                return r;
            }
        }
        return null;
    }

    private static void line(StringBuilder sb, List<String> cells) {
        sb.append('|');
        for (String c : cells) {
            sb.append(' ').append(c.replace("|", "\\|")).append(" |");
        }
        sb.append('\n');
    }
}
