package dev.fiberio.net;

import java.io.IOException;
import java.io.OutputStream;

/** {@link FiberSocket#getOutputStream()}: every write is sent in full at once; close closes the socket. */
final class SocketOutputStream extends OutputStream {
    private final FiberSocket socket;

    SocketOutputStream(FiberSocket socket) {
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        socket.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        socket.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
