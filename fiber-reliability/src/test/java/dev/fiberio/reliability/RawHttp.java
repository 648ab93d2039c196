package dev.fiberio.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** Raw HTTP/1.1 over {@code java.net.Socket}: exact bytes out, everything the server sends back in. */
final class RawHttp {
    /** Guard against a hang, never reached when the server works. */
    static final int HANG_GUARD_MILLIS = 30_000;
    /** A request that ends the connection after its response. */
    static final String GET_CLOSE = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    private RawHttp() {
    }

    /**
     * Opens a connection with the hang guard as read timeout.
     *
     * @param server the server
     * @return the socket
     * @throws IOException if the connect fails
     */
    static Socket connect(InetSocketAddress server) throws IOException {
        Socket s = new Socket(server.getAddress(), server.getPort());
        s.setSoTimeout(HANG_GUARD_MILLIS);
        return s;
    }

    /**
     * Sends {@code request} on a new connection and returns all the server sends until it closes.
     *
     * @param server  the server
     * @param request the bytes, ISO-8859-1
     * @return the response bytes as ISO-8859-1 text
     * @throws IOException on failure
     */
    static String exchange(InetSocketAddress server, String request) throws IOException {
        try (Socket s = connect(server)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return readUntilClosed(s);
        }
    }

    /**
     * Everything until end of stream; a reset after some bytes ends the stream too (the server may
     * close with unread input).
     *
     * @param s the socket
     * @return what arrived, as ISO-8859-1 text
     * @throws IOException on a failure other than a reset
     */
    static String readUntilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            if (!String.valueOf(reset.getMessage()).contains("reset")) {
                throw reset;
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
