package dev.fiberio.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG line chart written by hand (no plotting library): one line per contender, the groups of a
 * {@link Tsv} (e.g. 16, 256, 1024 connections) evenly spaced along x in file order, a linear y axis
 * from 0 with round tick values, a legend, and each point labelled with its value.
 */
public final class LineChart {
    static final int WIDTH = 760;
    static final int HEIGHT = 440;
    private static final int LEFT = 90;
    private static final int RIGHT = 170;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};

    private LineChart() {
    }

    /**
     * Draws {@code metric} against the group column, one line per contender.
     *
     * @param tsv    results: column 0 group, column 1 contender
     * @param metric the column plotted on y
     * @param title  chart title
     * @param xLabel x axis label
     * @param yLabel y axis label
     * @return the SVG document
     */
    public static String svg(Tsv tsv, String metric, String title, String xLabel, String yLabel) {
        int col = tsv.column(metric);
        List<String> groups = new ArrayList<>();
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        double max = 0;
        for (List<String> row : tsv.rows()) {
            if (!groups.contains(row.get(0))) {
                groups.add(row.get(0));
            }
            double v = Tsv.number(row, col);
            if (!Double.isNaN(v)) {
                series.computeIfAbsent(row.get(1), k -> new LinkedHashMap<>()).put(row.get(0), v);
                max = Math.max(max, v);
            }
        }
        double step = tickStep(max);
        double top = Math.max(step, Math.ceil(max / step) * step);
        Plot p = new Plot(groups.size(), top);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        text(sb, WIDTH / 2.0, 28, "middle", "font-size=\"16\" font-weight=\"bold\"", title);
        for (double y = 0; y <= top + step / 2; y += step) {
            line(sb, LEFT, p.y(y), WIDTH - RIGHT, p.y(y), "#dddddd");
            text(sb, LEFT - 8, p.y(y) + 4, "end", "", format(y));
        }
        line(sb, LEFT, TOP, LEFT, HEIGHT - BOTTOM, "black");
        line(sb, LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "black");
        for (int i = 0; i < groups.size(); i++) {
            text(sb, p.x(i), HEIGHT - BOTTOM + 18, "middle", "", groups.get(i));
        }
        text(sb, (LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 15, "middle", "", xLabel);
        sb.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">%s</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2.0, (TOP + HEIGHT - BOTTOM) / 2.0, escape(yLabel)));
        int s = 0;
        for (Map.Entry<String, Map<String, Double>> e : series.entrySet()) {
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < groups.size(); i++) {
                Double v = e.getValue().get(groups.get(i));
                if (v != null) {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", p.x(i), p.y(v)));
                    sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n", p.x(i), p.y(v), colour));
                }
            }
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    points.toString().trim(), colour));
            double ly = TOP + 20 + s * 22;
            line(sb, WIDTH - RIGHT + 20, ly - 4, WIDTH - RIGHT + 45, ly - 4, colour);
            text(sb, WIDTH - RIGHT + 52, ly, "start", "", e.getKey());
            s++;
        }
        labels(sb, p, groups, series);
        sb.append("</svg>\n");
        return sb.toString();
    }

    /**
     * Writes each point's value beside it. At each group the labels go from the highest value down,
     * each at least one text line below the previous, so close values do not overprint.
     */
    private static void labels(StringBuilder sb, Plot p, List<String> groups, Map<String, Map<String, Double>> series) {
        List<String> names = new ArrayList<>(series.keySet());
        for (int i = 0; i < groups.size(); i++) {
            String group = groups.get(i);
            List<String> here = names.stream().filter(n -> series.get(n).containsKey(group))
                    .sorted((a, b) -> Double.compare(series.get(b).get(group), series.get(a).get(group))).toList();
            double y = Double.NEGATIVE_INFINITY;
            for (String name : here) {
                double v = series.get(name).get(group);
                y = Math.max(p.y(v) - 6, y + 12);
                text(sb, p.x(i) + 8, y, "start",
                        "fill=\"" + COLOURS[names.indexOf(name) % COLOURS.length] + "\" font-size=\"10\"", format(v));
            }
        }
    }

    /** Plot-area coordinates of group index {@code i} and value {@code v}. */
    private record Plot(int groups, double top) {
        double x(int i) {
            double width = WIDTH - LEFT - RIGHT;
            return groups == 1 ? LEFT + width / 2 : LEFT + 30 + i * (width - 60) / (groups - 1);
        }

        double y(double v) {
            return HEIGHT - BOTTOM - v / top * (HEIGHT - TOP - BOTTOM);
        }
    }

    /**
     * A round tick step (1, 2 or 5 times a power of ten) giving at most 6 ticks up to {@code max}.
     *
     * @param max the largest value
     * @return the step, positive
     */
    static double tickStep(double max) {
        if (!(max > 0)) {
            return 1;
        }
        double raw = max / 6;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", v / 1_000_000);
        }
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1_000);
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static void line(StringBuilder sb, double x1, double y1, double x2, double y2, String colour) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, colour));
    }

    private static void text(StringBuilder sb, double x, double y, String anchor, String attrs, String s) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n",
                x, y, anchor, attrs, escape(s)));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
