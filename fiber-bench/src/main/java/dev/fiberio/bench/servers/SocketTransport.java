package dev.fiberio.bench.servers;

import dev.fiberio.examples.http.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * fiberio's HTTP {@link Transport} over a {@link java.net.Socket}'s streams, so that the virtual-thread
 * server runs the very same {@link dev.fiberio.examples.http.HttpConnection} as the fiberio server.
 * The socket streams are unbuffered: one {@code write} here is one write to the socket.
 */
public final class SocketTransport implements Transport {
    private final InputStream in;
    private final OutputStream out;

    /**
     * Wraps a connected socket.
     *
     * @param socket the connection
     * @throws IOException if its streams are unavailable
     */
    public SocketTransport(Socket socket) throws IOException {
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }
}
