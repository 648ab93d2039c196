package dev.fiberio.bench.report;

import dev.fiberio.examples.cli.Args;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The command line the scripts use to turn raw output into tables:
 * <pre>
 * Report wrk    --in wrk.txt                          prints: req/s  p50 ms  p99 ms  errors
 * Report strace --in strace.txt --messages N          prints: per-round-trip counts (see StraceSummary)
 * Report jmh    --in jmh.csv --out jmh.tsv            converts JMH CSV to the harness TSV
 * Report median --in rounds.tsv --out x.tsv           one row per (group, contender): medians of the rounds
 * Report table  --in x.tsv --baseline fiberio --ratio "req/s,p99 ms"   prints a Markdown ratio table
 * Report chart  --in x.tsv --metric req/s --out x.svg [--title T] [--x-label L] [--y-label L]
 * </pre>
 */
public final class Report {
    private Report() {
    }

    /**
     * Entry point.
     *
     * @param argv the command, then its options
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] argv) throws IOException {
        if (argv.length == 0) {
            System.err.println("usage: Report wrk|strace|jmh|median|table|chart --in FILE ... (see the class comment)");
            System.exit(2);
            return;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        Args args = Args.parse(rest, Set.of("in", "out", "messages", "baseline", "ratio", "metric", "title",
                "x-label", "y-label"));
        String inName = args.string("in", "");
        if (inName.isEmpty()) {
            System.err.println("Report " + argv[0] + ": --in FILE is required");
            System.exit(2);
            return;
        }
        Path in = Path.of(inName);
        switch (argv[0]) {
            case "wrk" -> System.out.println(WrkOutput.parse(read(in)).tsv());
            case "strace" -> System.out.println(StraceSummary.parse(read(in)).perRoundTripTsv(args.integer("messages", 1)));
            case "jmh" -> write(Path.of(args.string("out", "jmh.tsv")), tsvText(JmhCsv.toTsv(read(in))));
            case "median" -> write(Path.of(args.string("out", "median.tsv")), tsvText(Medians.of(Tsv.read(in))));
            case "table" -> System.out.print(RatioTable.markdown(Tsv.read(in), args.string("baseline", "fiberio"),
                    List.of(args.string("ratio", "").split(","))));
            case "chart" -> write(Path.of(args.string("out", "chart.svg")), LineChart.svg(Tsv.read(in),
                    args.string("metric", ""), args.string("title", ""), args.string("x-label", ""),
                    args.string("y-label", args.string("metric", ""))));
            default -> {
                System.err.println("unknown report '" + argv[0] + "'");
                System.exit(2);
            }
        }
    }

    static String tsvText(Tsv tsv) {
        StringBuilder sb = new StringBuilder(String.join("\t", tsv.columns())).append('\n');
        for (List<String> row : tsv.rows()) {
            sb.append(String.join("\t", row)).append('\n');
        }
        return sb.toString();
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static void write(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }
}
