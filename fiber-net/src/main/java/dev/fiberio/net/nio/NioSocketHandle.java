package dev.fiberio.net.nio;

import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

/**
 * A {@link SocketHandle} on a non-blocking {@link SocketChannel}: each operation tries the channel
 * call and, when it makes no progress, waits for readiness through the {@link NioRegistration}.
 *
 * <p>Heap segments are passed to the channel as heap buffers, which the JDK copies through a
 * temporary direct buffer as large as the request; requests on heap memory are therefore capped at
 * {@link #HEAP_CHUNK} bytes (a partial read or write, which the SPI allows).
 */
final class NioSocketHandle extends NioHandle<SocketChannel> implements SocketHandle {
    /** Largest read or write on heap memory in one call. */
    static final long HEAP_CHUNK = 256 * 1024;

    NioSocketHandle(SocketChannel channel, NioPoller poller) throws IOException {
        super(channel, poller);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        call(() -> channel.bind(local));
    }

    @Override
    public void connect(SocketAddress remote, long deadline) throws IOException {
        if (call(() -> channel.connect(remote))) {
            return;
        }
        for (;;) {
            reg.await(SelectionKey.OP_CONNECT, deadline);
            if (call(channel::finishConnect)) {
                return;
            }
            if (Deadlines.hasPassed(deadline)) {
                throw SocketErrors.connectTimedOut();
            }
        }
    }

    @Override
    public int read(MemorySegment dst, long deadline) throws IOException {
        ByteBuffer buf = chunk(dst).asByteBuffer();
        return transfer(() -> channel.read(buf), SelectionKey.OP_READ, deadline, SocketErrors::readTimedOut);
    }

    @Override
    public int write(MemorySegment src, long deadline) throws IOException {
        ByteBuffer buf = chunk(src).asByteBuffer();
        return transfer(() -> channel.write(buf), SelectionKey.OP_WRITE, deadline, SocketErrors::writeTimedOut);
    }

    /**
     * One non-blocking read into {@code b[off, off+len)}: what has arrived (at most {@link #HEAP_CHUNK}
     * bytes), 0 if nothing has, -1 at end of stream. Never waits and never asks the poller for anything;
     * the default would go through a timed-out read and build a {@link SocketTimeoutException} for
     * every empty attempt.
     */
    @Override
    public int tryRead(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, (int) Math.min(len, HEAP_CHUNK));
        return call(() -> channel.read(buf));
    }

    /**
     * Waits for {@code OP_READ} readiness through the poller, as a read waits between its attempts,
     * but holds no buffer and reads nothing (see {@link NioRegistration#awaitReadable}).
     */
    @Override
    public void awaitReadable(long deadline) throws IOException {
        reg.awaitReadable(deadline);
    }

    /** Tries {@code io} until it makes progress (non-zero), waiting for {@code op} in between. */
    private int transfer(ChannelCall<Integer> io, int op, long deadline, Supplier<SocketTimeoutException> timedOut)
            throws IOException {
        for (;;) {
            int n = call(io);
            if (n != 0) {
                return n;
            }
            if (Deadlines.hasPassed(deadline)) {
                throw timedOut.get();
            }
            reg.await(op, deadline);
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        call(channel::shutdownInput);
    }

    @Override
    public void shutdownOutput() throws IOException {
        call(channel::shutdownOutput);
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return call(channel::getRemoteAddress);
    }

    private static MemorySegment chunk(MemorySegment segment) {
        return segment.isNative() || segment.byteSize() <= HEAP_CHUNK ? segment : segment.asSlice(0, HEAP_CHUNK);
    }
}
