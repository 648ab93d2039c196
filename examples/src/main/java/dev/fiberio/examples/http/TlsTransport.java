package dev.fiberio.examples.http;

import dev.fiberio.net.tls.FiberTlsSocket;
import java.io.IOException;
import java.time.Duration;

/**
 * A {@link Transport} over a {@link FiberTlsSocket}. The read timeout also bounds the handshake, which
 * runs on the first read: a client that connects and never finishes its handshake is cut off by the
 * idle timeout like one that sends nothing.
 */
final class TlsTransport implements Transport {
    private final FiberTlsSocket socket;

    TlsTransport(FiberTlsSocket socket) {
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
    public void write(byte[] b, int off, int len) throws IOException {
        socket.write(b, off, len);
    }
}
