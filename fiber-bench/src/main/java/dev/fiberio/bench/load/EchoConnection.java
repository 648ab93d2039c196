package dev.fiberio.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One client connection of the echo load: sends a message, waits for all of its bytes to come back,
 * checks them, and sends the next (closed loop, one message in flight). Each message carries its
 * sequence number in its first 8 bytes and a fixed pattern after it, so a mixed-up or truncated
 * echo is detected. Owned by one {@link LoadLoop} thread; never touched by another.
 */
final class EchoConnection {
    private final SocketChannel channel;
    private final ByteBuffer out;
    private final ByteBuffer in;
    private final ByteBuffer expected;
    private SelectionKey key;
    private long sequence;
    private long sentAtNanos;
    private boolean inFlight;
    private long remaining;

    /**
     * @param channel  a connected, non-blocking channel
     * @param size     bytes per message (at least 8)
     * @param messages round trips to make, or {@link Long#MAX_VALUE} until stopped
     */
    EchoConnection(SocketChannel channel, int size, long messages) {
        if (size < Long.BYTES) {
            throw new IllegalArgumentException("messages must be at least 8 bytes, got " + size);
        }
        this.channel = channel;
        this.out = ByteBuffer.allocateDirect(size);
        this.in = ByteBuffer.allocateDirect(size);
        this.expected = ByteBuffer.allocate(size);
        for (int i = Long.BYTES; i < size; i++) {
            expected.put(i, (byte) i);
            out.put(i, (byte) i);
        }
        this.remaining = messages;
    }

    /** Registers with the selector of the owning loop, for reading. */
    void register(Selector selector) throws ClosedChannelException {
        this.key = channel.register(selector, SelectionKey.OP_READ, this);
    }

    /** Whether another round trip is due. */
    boolean wantsMore() {
        return remaining > 0;
    }

    /** Whether a message is on its way (sent, echo not complete). */
    boolean inFlight() {
        return inFlight;
    }

    /** Sends the next message. */
    void send() throws IOException {
        out.clear();
        out.putLong(0, sequence);
        sentAtNanos = System.nanoTime();
        inFlight = true;
        channel.write(out);
        key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Continues a partial write. */
    void onWritable() throws IOException {
        channel.write(out);
        if (!out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /**
     * Reads what arrived.
     *
     * @return the round-trip time in nanoseconds when the echo completed, or -1 if it is not complete
     * @throws IOException on a read failure, an early end of stream, or a wrong echo
     */
    long onReadable() throws IOException {
        if (channel.read(in) < 0) {
            throw new IOException("server closed the connection mid-message");
        }
        if (in.hasRemaining()) {
            return -1;
        }
        long rtt = System.nanoTime() - sentAtNanos;
        expected.putLong(0, sequence);
        in.flip();
        if (!in.equals(expected.clear())) {
            throw new IOException("echo of message " + sequence + " differs from what was sent");
        }
        in.clear();
        sequence++;
        remaining--;
        inFlight = false;
        return rtt;
    }

    /** Round trips completed. */
    long completed() {
        return sequence;
    }

    /** Whether {@link #close()} was called (after a failure, or at the end). */
    boolean isClosed() {
        return !channel.isOpen();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a client socket at the end of a run: nothing to do
        }
    }
}
