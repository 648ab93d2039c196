package dev.fiberio.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tab-separated result file: a header line of column names, then one line per measurement. The
 * harness's convention: column 0 is the group (what the contenders are compared at, e.g. a connection
 * count), column 1 the contender, the rest metrics.
 *
 * @param columns the column names
 * @param rows    the values, each as long as {@code columns}
 */
public record Tsv(List<String> columns, List<List<String>> rows) {
    /**
     * Checks that every row has one value per column.
     *
     * @param columns the column names
     * @param rows    the values
     */
    public Tsv {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> r : rows) {
            if (r.size() != columns.size()) {
                throw new IllegalArgumentException("row " + r + " has " + r.size() + " values for " + columns.size() + " columns");
            }
        }
    }

    /**
     * Parses TSV text; blank lines are skipped.
     *
     * @param text the file's content
     * @return the table
     */
    public static Tsv parse(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("empty TSV: no header line");
        }
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(Arrays.asList(line.split("\t", -1)));
        }
        return new Tsv(Arrays.asList(lines.getFirst().split("\t", -1)), rows);
    }

    /**
     * Reads and parses a TSV file.
     *
     * @param file the file
     * @return the table
     * @throws IOException if it cannot be read
     */
    public static Tsv read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * The index of a column.
     *
     * @param name the column name
     * @return its index
     * @throws IllegalArgumentException if there is no such column
     */
    public int column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + columns);
        }
        return i;
    }

    /**
     * A cell as a number.
     *
     * @param row    the row
     * @param column the column index
     * @return the value, or NaN if the cell is not a number (e.g. "skipped")
     */
    public static double number(List<String> row, int column) {
        try {
            return Double.parseDouble(row.get(column).trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
