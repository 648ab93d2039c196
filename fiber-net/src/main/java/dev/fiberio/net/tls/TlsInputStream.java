package dev.fiberio.net.tls;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** {@link FiberTlsSocket#getInputStream()}: reads go to the TLS socket; close closes it. */
final class TlsInputStream extends InputStream {
    private final FiberTlsSocket socket;

    TlsInputStream(FiberTlsSocket socket) {
        this.socket = socket;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = socket.read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        return socket.read(b, off, len);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
