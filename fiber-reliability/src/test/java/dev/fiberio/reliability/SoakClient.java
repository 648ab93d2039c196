package dev.fiberio.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * One soak client slot: connects to the echo server, sends a random number of messages of random
 * sizes and random content, checks each echo by checksum, closes, and starts over until the stop
 * time. A configurable share of connections ends instead with an injected fault in the middle of a
 * message: a plain close (FIN, usually turned into a reset by the kernel because echo data is unread)
 * or an abortive close (RST through {@code SO_LINGER 0}).
 *
 * <p>Written on {@code java.net.Socket} in a virtual thread on purpose: the client shares no code with
 * the fiberio server it checks.
 */
final class SoakClient implements Runnable {
    /** Largest message; both the client's buffers are this big. */
    static final int MAX_MESSAGE = 32 * 1024;
    /** Guard against a hang, never reached when the server works; a stall then fails the run. */
    private static final int HANG_GUARD_MILLIS = 60_000;

    private final InetSocketAddress server;
    private final long stopAt;
    private final int faultPercent;
    private final SoakStats stats;
    private final SplittableRandom random;
    private final byte[] out = new byte[MAX_MESSAGE];
    private final byte[] in = new byte[MAX_MESSAGE];

    /**
     * @param server       the echo server
     * @param stopAt       {@link System#nanoTime()} after which no new message or connection starts
     * @param faultPercent share of connections that end with an injected fault
     * @param stats        where to count
     * @param random       this slot's random source
     */
    SoakClient(InetSocketAddress server, long stopAt, int faultPercent, SoakStats stats, SplittableRandom random) {
        this.server = server;
        this.stopAt = stopAt;
        this.faultPercent = faultPercent;
        this.stats = stats;
        this.random = random;
    }

    @Override
    public void run() {
        while (System.nanoTime() - stopAt < 0) {
            oneConnection();
        }
    }

    private void oneConnection() {
        boolean injectFault = random.nextInt(100) < faultPercent;
        int messages = 1 + random.nextInt(16);
        int faultAt = random.nextInt(messages);
        Socket s = new Socket();
        stats.connections.increment();
        try (s) {
            s.connect(server, HANG_GUARD_MILLIS);
            s.setSoTimeout(HANG_GUARD_MILLIS);
            s.setTcpNoDelay(true);
            OutputStream o = s.getOutputStream();
            InputStream i = s.getInputStream();
            for (int m = 0; m < messages && System.nanoTime() - stopAt < 0; m++) {
                int size = messageSize();
                fill(size);
                if (injectFault && m == faultAt) {
                    injectFault(s, o, size);
                    return;
                }
                o.write(out, 0, size);
                if (!readFully(i, size)) {
                    stats.fail("echo ended after fewer than " + size + " bytes");
                    return;
                }
                if (checksum(out, size) != checksum(in, size)) {
                    stats.corrupted.increment();
                    return;
                }
                stats.messages.increment();
                stats.bytesVerified.add(size);
            }
            stats.completed.increment();
        } catch (IOException e) {
            stats.fail(e.toString());
        }
    }

    /** Sends part of the message, then closes (FIN) or resets (RST) the connection. */
    private void injectFault(Socket s, OutputStream o, int size) throws IOException {
        o.write(out, 0, random.nextInt(size + 1));
        if (random.nextBoolean()) {
            s.setSoLinger(true, 0); // abortive close: RST
            stats.resets.increment();
        } else {
            stats.disconnects.increment();
        }
        s.close();
    }

    /** Mostly small messages, some medium, a few up to {@link #MAX_MESSAGE}. */
    private int messageSize() {
        int p = random.nextInt(100);
        if (p < 60) {
            return 1 + random.nextInt(256);
        }
        if (p < 90) {
            return 256 + random.nextInt(4096 - 256);
        }
        return 4096 + random.nextInt(MAX_MESSAGE - 4096 + 1);
    }

    private void fill(int size) {
        for (int k = 0; k < size; k += 8) {
            long v = random.nextLong();
            for (int b = 0; b < 8 && k + b < size; b++) {
                out[k + b] = (byte) (v >>> (8 * b));
            }
        }
    }

    private boolean readFully(InputStream i, int size) throws IOException {
        int done = 0;
        while (done < size) {
            int n = i.read(in, done, size - done);
            if (n < 0) {
                return false;
            }
            done += n;
        }
        return true;
    }

    private static long checksum(byte[] b, int size) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, size);
        return crc.getValue();
    }
}
