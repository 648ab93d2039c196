package dev.fiberio.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Folds repeated rounds into one row per (group, contender): each numeric column becomes the median
 * of the rounds. The load scripts interleave the contenders round by round, so that a burst of
 * noise on this shared machine hits one round of each rather than all rounds of one contender; the
 * median then drops the disturbed round.
 */
public final class Medians {
    private Medians() {
    }

    /**
     * Computes the medians.
     *
     * @param rounds results with repeated (group, contender) rows
     * @return one row per (group, contender), in order of first appearance; a column with a value
     *         that is not a number keeps the first round's text
     */
    public static Tsv of(Tsv rounds) {
        Map<List<String>, List<List<String>>> byKey = new LinkedHashMap<>();
        for (List<String> row : rounds.rows()) {
            byKey.computeIfAbsent(row.subList(0, 2), k -> new ArrayList<>()).add(row);
        }
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<List<String>, List<List<String>>> e : byKey.entrySet()) {
            List<String> row = new ArrayList<>(e.getKey());
            for (int c = 2; c < rounds.columns().size(); c++) {
                row.add(median(e.getValue(), c));
            }
            out.add(row);
        }
        return new Tsv(rounds.columns(), out);
    }

    private static String median(List<List<String>> rows, int column) {
        double[] v = new double[rows.size()];
        int decimals = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = Tsv.number(rows.get(i), column);
            if (Double.isNaN(v[i])) {
                return rows.getFirst().get(column);
            }
            String text = rows.get(i).get(column).trim();
            int dot = text.indexOf('.');
            decimals = Math.max(decimals, dot < 0 ? 0 : text.length() - dot - 1);
        }
        Arrays.sort(v);
        double m = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, "%." + decimals + "f", m);
    }
}
