package dev.fiberio.net.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** {@link FiberTlsSocket#getOutputStream()}: each write is one TLS write; close closes the socket. */
final class TlsOutputStream extends OutputStream {
    private final FiberTlsSocket socket;

    TlsOutputStream(FiberTlsSocket socket) {
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        socket.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        socket.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
