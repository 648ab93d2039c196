package dev.fiberio.bench.servers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every contender's server answers like the others: same HTTP responses, same echo. */
class ServersTest {
    private static final ServerOptions ANY_PORT = new ServerOptions(ServerOptions.LOOPBACK, 0, 2);

    static Stream<ServerLauncher.Starter> httpServers() {
        return Stream.of(FiberioHttpServer::start, NettyHttpServer::start, VirtualThreadHttpServer::start);
    }

    static Stream<ServerLauncher.Starter> echoServers() {
        return Stream.of(FiberioEchoServer::start, NettyEchoServer::start, VirtualThreadEchoServer::start);
    }

    @ParameterizedTest
    @MethodSource("httpServers")
    void httpServersAnswerPipelinedRequestsAlike(ServerLauncher.Starter starter) throws Exception {
        try (BenchServer server = starter.start(ANY_PORT); Socket s = connect(server)) {
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /json HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertResponse(in, "HTTP/1.1 200 OK", "text/plain", "Hello, World!");
            assertResponse(in, "HTTP/1.1 200 OK", "application/json", "{\"message\":\"Hello, World!\"}");
            assertResponse(in, "HTTP/1.1 404 Not Found", "text/plain", "Not Found");
        }
    }

    @ParameterizedTest
    @MethodSource("httpServers")
    void httpServersCloseAfterConnectionClose(ServerLauncher.Starter starter) throws Exception {
        try (BenchServer server = starter.start(ANY_PORT); Socket s = connect(server)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertResponse(in, "HTTP/1.1 200 OK", "text/plain", "Hello, World!");
            assertEquals(-1, in.read(), "the server closes the connection");
        }
    }

    @ParameterizedTest
    @MethodSource("echoServers")
    void echoServersEchoEveryByte(ServerLauncher.Starter starter) throws Exception {
        byte[] message = new byte[100_000];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) (i * 31);
        }
        try (BenchServer server = starter.start(ANY_PORT); Socket s = connect(server)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    s.getOutputStream().write(message);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertArrayEquals(message, s.getInputStream().readNBytes(message.length));
            writer.join();
        }
    }

    @ParameterizedTest
    @MethodSource("echoServers")
    void closeIsIdempotentAndFreesThePort(ServerLauncher.Starter starter) throws Exception {
        BenchServer server = starter.start(ANY_PORT);
        int port = server.port();
        assertTrue(port > 0);
        server.close();
        server.close();
        try (BenchServer again = starter.start(new ServerOptions(ServerOptions.LOOPBACK, port, 1))) {
            assertEquals(port, again.port());
        }
    }

    private static Socket connect(BenchServer server) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(ServerOptions.LOOPBACK, server.port()));
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads one response with a Content-Length body and checks status line, type and body. */
    private static void assertResponse(InputStream in, String statusLine, String type, String body) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        assertEquals(statusLine, lines[0]);
        int length = -1;
        String contentType = null;
        for (String line : lines) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            } else if (lower.startsWith("content-type:")) {
                contentType = line.substring(13).trim();
            }
        }
        assertEquals(type, contentType);
        assertEquals(body, new String(in.readNBytes(length), StandardCharsets.US_ASCII));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
