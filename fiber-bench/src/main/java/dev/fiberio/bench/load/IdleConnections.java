package dev.fiberio.bench.load;

import dev.fiberio.examples.cli.Args;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The idle-connection holder of the memory benchmark: opens {@code --connections} connections to an
 * echo server, makes one 1-byte round trip on each (so the server has accepted every connection,
 * run its handler, and parked it again in a read), prints {@code held N}, and keeps them open and
 * silent until it is stopped or {@code --hold} seconds pass.
 *
 * <p>A loopback client has about 28,000 ephemeral ports per source address, so the connections are
 * spread over {@code --source-ips} source addresses 127.0.0.2, 127.0.0.3, ... (all loopback).
 */
public final class IdleConnections implements AutoCloseable {
    /** Connections per source address that stay well inside the default ephemeral port range. */
    static final int PER_SOURCE_ADDRESS = 20_000;

    private final List<SocketChannel> channels;

    private IdleConnections(List<SocketChannel> channels) {
        this.channels = channels;
    }

    /**
     * Entry point: see {@code --help}.
     *
     * @param argv the command line
     * @throws Exception if the connections cannot be opened
     */
    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, Set.of("host", "port", "connections", "source-ips", "hold"));
        if (args.help()) {
            System.out.println("""
                    usage: IdleConnections --port P [--host 127.0.0.1] [--connections 10000]
                                           [--source-ips <connections/20000 rounded up>] [--hold 600]
                    Opens the connections to an echo server, one 1-byte round trip on each, prints
                    'held N', then holds them idle until stopped or --hold seconds pass.""");
            return;
        }
        int n = args.integer("connections", 10_000);
        InetSocketAddress target = new InetSocketAddress(args.string("host", "127.0.0.1"), args.integer("port", 7000));
        int sources = args.integer("source-ips", sourceAddressesFor(n));
        CountDownLatch stop = new CountDownLatch(1);
        try (IdleConnections held = open(target, n, sources)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "idle-stop"));
            System.out.println("held " + held.size());
            System.out.flush();
            stop.await(args.integer("hold", 600), TimeUnit.SECONDS);
        }
    }

    /**
     * Source addresses needed for {@code connections} connections.
     *
     * @param connections the connection count
     * @return at least 1
     */
    static int sourceAddressesFor(int connections) {
        return Math.max(1, (connections + PER_SOURCE_ADDRESS - 1) / PER_SOURCE_ADDRESS);
    }

    /**
     * Opens {@code n} connections and makes one 1-byte round trip on each.
     *
     * @param target          an echo server
     * @param n               connections
     * @param sourceAddresses spread over 127.0.0.2 ... 127.0.0.(1 + sourceAddresses); 0 lets the
     *                        kernel choose the source address
     * @return the held connections
     * @throws IOException if a connection fails or an echo is wrong
     */
    public static IdleConnections open(InetSocketAddress target, int n, int sourceAddresses) throws IOException {
        if (sourceAddresses < 0 || sourceAddresses > 250) {
            throw new IllegalArgumentException("source addresses must be 0..250, got " + sourceAddresses);
        }
        List<SocketChannel> channels = new ArrayList<>(n);
        IdleConnections held = new IdleConnections(channels);
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = SocketChannel.open();
                channels.add(ch);
                if (sourceAddresses > 0) {
                    // A port whose earlier connection is still in TIME_WAIT (after a C10K run) may then be reused.
                    ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                    ch.bind(new InetSocketAddress("127.0.0." + (2 + i % sourceAddresses), 0));
                }
                ch.connect(target);
                progress("connected", i + 1, n);
            }
            ByteBuffer one = ByteBuffer.allocate(1);
            for (SocketChannel ch : channels) {
                ch.write(one.clear().put(0, (byte) 42));
            }
            for (int i = 0; i < n; i++) {
                one.clear();
                if (channels.get(i).read(one) != 1 || one.get(0) != 42) {
                    throw new IOException("connection " + i + " got no echo");
                }
                progress("echoed", i + 1, n);
            }
            return held;
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    private static void progress(String what, int done, int total) {
        if (done % 10_000 == 0 && done < total) {
            System.err.println(what + " " + done + "/" + total);
        }
    }

    /**
     * Connections held.
     *
     * @return the count
     */
    public int size() {
        return channels.size();
    }

    /**
     * Whether every held connection is still open.
     *
     * @return true if all are open
     */
    public boolean allOpen() {
        return channels.stream().allMatch(SocketChannel::isConnected);
    }

    /** Closes every connection. */
    @Override
    public void close() {
        for (SocketChannel ch : channels) {
            try {
                // An abortive close (RST) leaves no TIME_WAIT behind: tens of thousands of those would
                // make the next round's binds to the same source addresses fail.
                ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                ch.close();
            } catch (IOException e) {
                // closing an idle client socket: nothing left to do
            }
        }
    }
}
