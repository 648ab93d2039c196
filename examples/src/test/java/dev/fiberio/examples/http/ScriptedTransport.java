package dev.fiberio.examples.http;

import java.io.ByteArrayOutputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A {@link Transport} with a fake clock: the input is a script of chunks, each arriving a given time
 * after the previous read; a read whose wait would exceed its timeout advances the clock by the
 * timeout and throws {@link SocketTimeoutException}, as a socket would. Time never really passes.
 */
final class ScriptedTransport implements Transport {
    private record Chunk(long delayNanos, byte[] bytes) {
    }

    private final Deque<Chunk> script = new ArrayDeque<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final List<Integer> writeSizes = new ArrayList<>();
    private long now;
    private boolean endOfStream;
    private Runnable onAwait = () -> { };
    private Runnable onWrite = () -> { };
    private int awaits;

    /** Queues {@code bytes} to arrive {@code delayNanos} after the read that waits for them begins. */
    ScriptedTransport arrive(long delayNanos, byte[] bytes) {
        script.add(new Chunk(delayNanos, bytes));
        return this;
    }

    /** After the script, reads return end of stream (instead of waiting forever). */
    ScriptedTransport thenEnd() {
        endOfStream = true;
        return this;
    }

    /** The fake clock. */
    LongSupplier clock() {
        return () -> now;
    }

    long now() {
        return now;
    }

    String output() {
        return written.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    List<Integer> writeSizes() {
        return writeSizes;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        throw new AssertionError("the connection must always give a timeout");
    }

    @Override
    public int read(byte[] b, int off, int len, long timeoutNanos) throws SocketTimeoutException {
        if (timeoutNanos <= 0) {
            throw new AssertionError("a read must be given a positive timeout, got " + timeoutNanos);
        }
        Chunk c = script.peek();
        if (c == null) {
            if (endOfStream) {
                return -1;
            }
            now += timeoutNanos;
            throw new SocketTimeoutException("Read timed out");
        }
        if (c.delayNanos() > timeoutNanos) {
            now += timeoutNanos;
            script.pop();
            script.push(new Chunk(c.delayNanos() - timeoutNanos, c.bytes()));
            throw new SocketTimeoutException("Read timed out");
        }
        now += c.delayNanos();
        script.pop();
        int n = Math.min(len, c.bytes().length);
        System.arraycopy(c.bytes(), 0, b, off, n);
        if (n < c.bytes().length) {
            script.push(new Chunk(0, java.util.Arrays.copyOfRange(c.bytes(), n, c.bytes().length)));
        }
        return n;
    }

    /** Runs at every wait for readability, before it (tests look at the connection there). */
    ScriptedTransport onAwaitReadable(Runnable hook) {
        this.onAwait = hook;
        return this;
    }

    int awaits() {
        return awaits;
    }

    @Override
    public void awaitReadable(long timeoutNanos) throws SocketTimeoutException {
        if (timeoutNanos <= 0) {
            throw new AssertionError("a wait must be given a positive timeout, got " + timeoutNanos);
        }
        awaits++;
        onAwait.run();
        Chunk c = script.peek();
        if (c == null) {
            if (endOfStream) {
                return; // the end of the stream is readable
            }
            now += timeoutNanos;
            throw new SocketTimeoutException("Read timed out");
        }
        script.pop();
        if (c.delayNanos() > timeoutNanos) {
            now += timeoutNanos;
            script.push(new Chunk(c.delayNanos() - timeoutNanos, c.bytes()));
            throw new SocketTimeoutException("Read timed out");
        }
        now += c.delayNanos();
        script.push(new Chunk(0, c.bytes())); // arrived: the read takes it at once
    }

    /** Runs at every write, before it. */
    ScriptedTransport onWrite(Runnable hook) {
        this.onWrite = hook;
        return this;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        onWrite.run();
        written.write(b, off, len);
        writeSizes.add(len);
    }
}
