package dev.fiberio.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.bench.servers.BenchServer;
import dev.fiberio.bench.servers.FiberioEchoServer;
import dev.fiberio.bench.servers.ServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class EchoLoadClientTest {
    private static final ServerOptions ANY_PORT = new ServerOptions(ServerOptions.LOOPBACK, 0, 2);

    @Test
    void fixedCountModeMakesExactlyTheRoundTripsAskedFor() throws Exception {
        try (BenchServer server = FiberioEchoServer.start(ANY_PORT)) {
            EchoLoadClient.Result r = EchoLoadClient.run(options(server.port(), 7, 2, 0, 30, 50));
            assertEquals(0, r.errors());
            assertEquals(7 * 50, r.messages());
            assertEquals(7 * 50, r.latencies().getTotalCount());
            assertTrue(r.latencyMicros(99) >= r.latencyMicros(50));
            assertEquals(5, r.tsv().split("\t").length);
        }
    }

    @Test
    void timedModeMeasuresOnlyInsideTheWindowAndEndsCleanly() throws Exception {
        try (BenchServer server = FiberioEchoServer.start(ANY_PORT)) {
            EchoLoadClient.Result r = EchoLoadClient.run(options(server.port(), 3, 1, 0, 1, 0));
            assertEquals(0, r.errors());
            assertTrue(r.messages() > 0, "some round trips completed");
            assertEquals(r.messages(), r.latencies().getTotalCount());
            assertEquals(1.0, r.seconds());
        }
    }

    @Test
    void aWrongEchoIsCountedAsAnError() throws Exception {
        ServerSocket corrupting = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread server = Thread.ofVirtual().start(() -> serveCorrupted(corrupting));
        EchoLoadClient.Result r;
        try {
            r = EchoLoadClient.run(options(corrupting.getLocalPort(), 1, 1, 0, 30, 5));
        } finally {
            corrupting.close();
        }
        server.join();
        assertEquals(1, r.errors());
        assertEquals(0, r.messages());
    }

    @Test
    void rejectsMessagesTooShortForASequenceNumber() {
        assertThrows(IllegalArgumentException.class,
                () -> new EchoLoadClient.Options(new InetSocketAddress(1), 1, 4, 1, 0, 1, 1));
    }

    private static EchoLoadClient.Options options(int port, int connections, int threads, int warmup, int duration,
                                                  int messages) {
        return new EchoLoadClient.Options(new InetSocketAddress(ServerOptions.LOOPBACK, port), connections, 64,
                threads, warmup, duration, messages);
    }

    /** Echoes one connection with every byte incremented. */
    private static void serveCorrupted(ServerSocket listener) {
        try (Socket s = listener.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b + 1);
            }
        } catch (IOException e) {
            // the client closed, or the test closed the listener: done either way
        }
    }
}
