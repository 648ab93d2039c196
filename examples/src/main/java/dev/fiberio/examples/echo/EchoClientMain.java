package dev.fiberio.examples.echo;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.cli.Args;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens N connections to an echo server, sends M messages of S random bytes on each, checks that
 * every echo matches, and prints messages per second. Exits non-zero on any mismatch or error.
 */
public final class EchoClientMain {
    private EchoClientMain() {
    }

    /**
     * Entry point.
     *
     * @param argv see {@code --help}
     */
    public static void main(String[] argv) {
        Args args = Args.parse(argv, Set.of("host", "port", "connections", "messages", "size", "workers"));
        if (args.help()) {
            System.out.println("usage: EchoClientMain [--host localhost] [--port 7000] [--connections 100]"
                    + " [--messages 1000] [--size 64] [--workers <cpus>]\n"
                    + "Sends messages on many connections, verifies every echo, prints messages/s.");
            return;
        }
        int connections = args.integer("connections", 100);
        int messages = args.integer("messages", 1000);
        int size = args.integer("size", 64);
        InetSocketAddress target = new InetSocketAddress(args.string("host", "localhost"), args.integer("port", 7000));
        Result r = run(target, connections, messages, size,
                args.integer("workers", Runtime.getRuntime().availableProcessors()));
        System.out.printf("%d connections x %d messages of %d bytes: %d verified, %d failed, %.0f messages/s%n",
                connections, messages, size, r.verified(), r.failed(), r.messagesPerSecond());
        if (r.failed() > 0) {
            System.exit(1);
        }
    }

    /**
     * The outcome of a run.
     *
     * @param verified          messages echoed correctly
     * @param failed            connections that failed or saw a mismatch
     * @param messagesPerSecond throughput
     */
    public record Result(long verified, long failed, double messagesPerSecond) {
    }

    /**
     * Runs the load and verifies every echo.
     *
     * @param target      the echo server
     * @param connections concurrent connections
     * @param messages    messages per connection
     * @param size        bytes per message
     * @param workers     worker threads for the client
     * @return the outcome
     */
    public static Result run(InetSocketAddress target, int connections, int messages, int size, int workers) {
        LongAdder verified = new LongAdder();
        LongAdder failed = new LongAdder();
        long t0 = System.nanoTime();
        try (FiberScheduler scheduler = FiberScheduler.builder().name("echo-client").workers(workers).build()) {
            List<Fiber> fibers = new ArrayList<>(connections);
            for (int c = 0; c < connections; c++) {
                fibers.add(scheduler.spawn(() -> {
                    try (FiberSocket s = FiberSocket.open()) {
                        s.connect(target);
                        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        byte[] out = new byte[size];
                        byte[] in = new byte[size];
                        // Per fiber: ThreadLocalRandom belongs to the carrier thread, not to the fiber.
                        SplittableRandom random = new SplittableRandom();
                        for (int m = 0; m < messages; m++) {
                            random.nextBytes(out);
                            s.write(out, 0, size);
                            s.readFully(in, 0, size);
                            if (!Arrays.equals(out, in)) {
                                failed.increment();
                                return;
                            }
                            verified.increment();
                        }
                    } catch (IOException e) {
                        failed.increment();
                        throw new UncheckedIOException(e);
                    }
                }));
            }
            for (Fiber f : fibers) {
                try {
                    f.join();
                } catch (RuntimeException e) {
                    // counted in failed
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(verified.sum(), failed.sum(), verified.sum() / seconds);
    }
}
