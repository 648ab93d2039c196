package dev.fiberio.bench.load;

import dev.fiberio.examples.cli.Args;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The echo load client, the same for every server: opens {@code --connections} TCP connections and
 * runs a closed loop of {@code --size}-byte messages on each (one in flight per connection) from
 * {@code --threads} NIO selector threads. Two modes: timed ({@code --warmup} then {@code --duration}
 * seconds, the default) and fixed-count ({@code --messages} round trips per connection, for the
 * syscall count). Prints messages per second and the p50/p99 round-trip latency.
 */
public final class EchoLoadClient {
    private EchoLoadClient() {
    }

    /**
     * What to run.
     *
     * @param target                the echo server
     * @param connections           concurrent connections
     * @param size                  bytes per message (at least 8)
     * @param threads               selector threads of the client
     * @param warmupSeconds         timed mode: seconds before the measurement window
     * @param durationSeconds       timed mode: length of the measurement window; fixed-count mode: the
     *                              longest the run may take
     * @param messagesPerConnection fixed-count mode when positive: round trips per connection
     */
    public record Options(InetSocketAddress target, int connections, int size, int threads,
                          int warmupSeconds, int durationSeconds, int messagesPerConnection) {
        /**
         * Checks the values.
         *
         * @param target                the echo server
         * @param connections           concurrent connections
         * @param size                  bytes per message
         * @param threads               selector threads
         * @param warmupSeconds         seconds before measuring
         * @param durationSeconds       seconds measured
         * @param messagesPerConnection fixed count, or 0 for timed mode
         */
        public Options {
            if (connections < 1 || threads < 1 || size < Long.BYTES || warmupSeconds < 0 || messagesPerConnection < 0
                    || durationSeconds < 1) {
                throw new IllegalArgumentException("need connections >= 1, threads >= 1, size >= 8, warmup >= 0,"
                        + " messages >= 0 and duration >= 1");
            }
        }

        boolean fixedCount() {
            return messagesPerConnection > 0;
        }
    }

    /**
     * The outcome of a run.
     *
     * @param messages  round trips completed inside the measurement window
     * @param seconds   length of the window (fixed-count mode: of the whole run)
     * @param latencies round-trip times in nanoseconds
     * @param errors    connections that failed (connect, I/O, wrong echo, or no echo before the end)
     */
    public record Result(long messages, double seconds, Histogram latencies, long errors) {
        /**
         * Throughput.
         *
         * @return messages per second
         */
        public double messagesPerSecond() {
            return messages / seconds;
        }

        /**
         * A latency percentile.
         *
         * @param percentile 0..100
         * @return microseconds
         */
        public double latencyMicros(double percentile) {
            return latencies.getValueAtPercentile(percentile) / 1_000.0;
        }

        /**
         * One tab-separated line: msgs/s, p50 µs, p99 µs, messages, errors.
         *
         * @return the line
         */
        public String tsv() {
            return String.format(Locale.ROOT, "%.0f\t%.1f\t%.1f\t%d\t%d",
                    messagesPerSecond(), latencyMicros(50), latencyMicros(99), messages, errors);
        }
    }

    /**
     * Entry point: see {@code --help}.
     *
     * @param argv the command line
     * @throws Exception if the run cannot start
     */
    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, Set.of("host", "port", "connections", "size", "threads", "warmup",
                "duration", "messages", "format"));
        if (args.help()) {
            System.out.println("""
                    usage: EchoLoadClient --port P [--host 127.0.0.1] [--connections 100] [--size 64] [--threads 1]
                                          [--warmup 3] [--duration 10] [--messages 0] [--format text|tsv]
                    Closed loop, one message in flight per connection. --messages N > 0: N round trips per
                    connection, no warm-up, at most --duration s (fixed count); otherwise warm up, then
                    measure for --duration s.
                    tsv output: msgs_per_s p50_us p99_us messages errors""");
            return;
        }
        Options options = new Options(
                new InetSocketAddress(args.string("host", "127.0.0.1"), args.integer("port", 7000)),
                args.integer("connections", 100), args.integer("size", 64), args.integer("threads", 1),
                args.integer("warmup", 3), args.integer("duration", 10), args.integer("messages", 0));
        Result r = run(options);
        if (args.string("format", "text").equals("tsv")) {
            System.out.println(r.tsv());
        } else {
            System.out.printf(Locale.ROOT, "%d connections, %d-byte messages: %.0f msgs/s, p50 %.1f us, p99 %.1f us,"
                            + " %d errors (%d messages in %.1f s)%n", options.connections(), options.size(),
                    r.messagesPerSecond(), r.latencyMicros(50), r.latencyMicros(99), r.errors(), r.messages(), r.seconds());
        }
    }

    /**
     * Connects, runs the load and collects the results.
     *
     * @param options what to run
     * @return the outcome
     * @throws IOException          if a connection cannot be opened
     * @throws InterruptedException if interrupted while waiting for the load threads
     */
    public static Result run(Options options) throws IOException, InterruptedException {
        List<List<EchoConnection>> shares = new ArrayList<>();
        for (int t = 0; t < options.threads(); t++) {
            shares.add(new ArrayList<>());
        }
        long messages = options.fixedCount() ? options.messagesPerConnection() : Long.MAX_VALUE;
        List<SocketChannel> opened = new ArrayList<>();
        try {
            for (int i = 0; i < options.connections(); i++) {
                opened.add(connect(options.target()));
                shares.get(i % options.threads()).add(new EchoConnection(opened.getLast(), options.size(), messages));
            }
        } catch (IOException | RuntimeException e) {
            for (SocketChannel ch : opened) {
                ch.close();
            }
            throw e;
        }
        long start = System.nanoTime();
        long measureFrom = options.fixedCount() ? start : start + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
        // fixed-count mode: --duration bounds the run; round trips left undone by then are errors
        long stopAt = measureFrom + TimeUnit.SECONDS.toNanos(options.durationSeconds());
        List<LoadLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (List<EchoConnection> share : shares) {
            LoadLoop loop = new LoadLoop(share, measureFrom, stopAt, options.fixedCount());
            loops.add(loop);
            threads.add(Thread.ofPlatform().name("echo-load-" + threads.size()).start(loop));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = options.fixedCount() ? (System.nanoTime() - start) / 1e9 : options.durationSeconds();
        Histogram all = new Histogram(3);
        long measured = 0;
        long errors = 0;
        for (LoadLoop loop : loops) {
            all.add(loop.latencies());
            measured += loop.measured();
            errors += loop.errors();
        }
        return new Result(measured, seconds, all, errors);
    }

    private static SocketChannel connect(InetSocketAddress target) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(target);
            ch.configureBlocking(false);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
