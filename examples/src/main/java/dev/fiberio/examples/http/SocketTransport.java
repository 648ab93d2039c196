package dev.fiberio.examples.http;

import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A {@link Transport} over a {@link FiberSocket}; the socket's write timeout bounds every write. */
final class SocketTransport implements Transport {
    private final FiberSocket socket;

    SocketTransport(FiberSocket socket) {
        this.socket = socket;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return socket.read(b, off, len);
    }

    @Override
    public int read(byte[] b, int off, int len, long timeoutNanos) throws IOException {
        socket.setReadTimeout(Duration.ofNanos(Math.max(1, timeoutNanos)));
        return socket.read(b, off, len);
    }

    @Override
    public void awaitReadable(long timeoutNanos) throws IOException {
        socket.setReadTimeout(Duration.ofNanos(Math.max(1, timeoutNanos)));
        socket.awaitReadable();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        socket.write(b, off, len);
    }

    @Override
    public void write(ByteBuffer[] parts) throws IOException {
        socket.write(parts);
    }
}
