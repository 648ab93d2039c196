package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.TestSchedulers;
import dev.fiberio.examples.http.HttpLimits;
import dev.fiberio.examples.http.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Clients that take the HTTP example's resources without using them: slowloris clients trickling a
 * header byte at a time, idle and half-closed connections, clients that never read their responses.
 * Each must be cut off in bounded time, with a bounded amount of memory, while other clients are served.
 */
@Tag("reliability")
@OnSelectedBackend
class SlowClientsTest {
    private static final HttpLimits LIMITS = HttpLimits.defaults().withIdleTimeout(Duration.ofSeconds(2))
            .withRequestTimeout(Duration.ofSeconds(1)).withWriteTimeout(Duration.ofSeconds(1));
    /** Longer than any test needs: the cut-off must come from the server's limits. */
    private static final String ENDLESS_HEAD = "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(2000) + "\r\n\r\n";

    @Test
    void slowlorisClientsAreAnswered408WhileOtherClientsAreServed() throws Exception {
        int clients = 50;
        try (ServerFixture<HttpServer> f = ServerFixture.http(LIMITS);
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> tricklers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                tricklers.add(vt.submit(() -> trickle(f, ENDLESS_HEAD, 100)));
            }
            int served = 0;
            for (int i = 0; i < 20; i++) {
                assertTrue(RawHttp.exchange(f.address, RawHttp.GET_CLOSE).startsWith("HTTP/1.1 200 "));
                served++;
            }
            int maxSent = 0;
            for (Future<String> t : tricklers) {
                String result = t.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS);
                String[] parts = result.split(" ", 2);
                maxSent = Math.max(maxSent, Integer.parseInt(parts[0]));
                assertTrue(parts[1].startsWith("HTTP/1.1 408 Request Timeout\r\n"), result);
            }
            new Report("slowloris").add("slowloris clients", clients)
                    .add("request timeout", LIMITS.requestTimeout())
                    .add("most bytes sent before 408", maxSent + " of " + ENDLESS_HEAD.length())
                    .add("other requests served", served).publish();
            assertTrue(maxSent < ENDLESS_HEAD.length(), "no slowloris client got its request in");
        }
    }

    @Test
    void idleAndHalfClosedConnectionsAreClosedByTheServer() throws Exception {
        try (ServerFixture<HttpServer> f = ServerFixture.http(LIMITS);
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> idle = new ArrayList<>();
            List<Future<String>> halfClosed = new ArrayList<>();
            for (int c = 0; c < 100; c++) {
                idle.add(vt.submit(() -> {
                    try (Socket s = RawHttp.connect(f.address)) {
                        return RawHttp.readUntilClosed(s); // returns once the idle timeout closed it
                    }
                }));
                halfClosed.add(vt.submit(() -> {
                    try (Socket s = RawHttp.connect(f.address)) {
                        s.getOutputStream().write("GET / HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput(); // the request can never complete
                        return RawHttp.readUntilClosed(s);
                    }
                }));
            }
            for (Future<String> i : idle) {
                assertEquals("", i.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS), "an idle connection is closed quietly");
            }
            for (Future<String> h : halfClosed) {
                assertEquals("", h.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS), "a truncated request is dropped");
            }
            assertTrue(RawHttp.exchange(f.address, RawHttp.GET_CLOSE).startsWith("HTTP/1.1 200 "));
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedAfterTheWriteTimeoutWhileOthersAreServed() throws Exception {
        try (ServerFixture<HttpServer> f = ServerFixture.http(LIMITS);
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> flooder = vt.submit(() -> {
                byte[] requests = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000).getBytes(StandardCharsets.US_ASCII);
                long sent = 0;
                try (Socket s = RawHttp.connect(f.address)) {
                    s.setReceiveBufferSize(4096); // fill up soon
                    OutputStream out = s.getOutputStream();
                    for (;;) {
                        out.write(requests); // never reads a response
                        sent += requests.length;
                    }
                } catch (IOException closedByTheServer) {
                    return sent;
                }
            });
            for (int i = 0; i < 20; i++) {
                assertTrue(RawHttp.exchange(f.address, RawHttp.GET_CLOSE).startsWith("HTTP/1.1 200 "));
            }
            long sent = flooder.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS);
            new Report("never-reading-http-client").add("bytes of requests sent before the cut", sent)
                    .add("write timeout", LIMITS.writeTimeout()).publish();
        }
    }

    @Test
    void memoryPerStalledConnectionIsBounded() throws Exception {
        int clients = 300;
        long bound = 64 * 1024;
        HttpLimits patient = LIMITS.withIdleTimeout(Duration.ofSeconds(60)).withRequestTimeout(Duration.ofSeconds(60));
        List<Socket> sockets = new ArrayList<>();
        try (ServerFixture<HttpServer> f = ServerFixture.http(patient)) {
            long before = HeapGauge.usedAfterGc();
            byte[] partial = ("GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(7000)).getBytes(StandardCharsets.US_ASCII);
            try {
                for (int c = 0; c < clients; c++) {
                    Socket s = RawHttp.connect(f.address);
                    sockets.add(s);
                    s.getOutputStream().write(partial);
                }
                TestSchedulers.awaitCondition("every connection accepted", () -> f.server.connections() == clients);
                long with = HeapGauge.usedAfterGc();
                long perConnection = (with - before) / clients;
                new Report("http-memory-per-connection").add("stalled connections", clients)
                        .add("heap after GC before/with", HeapGauge.mib(before) + " / " + HeapGauge.mib(with))
                        .add("per connection", perConnection + " bytes (bound " + bound + ")").publish();
                assertTrue(perConnection < bound, "a stalled connection costs " + perConnection + " bytes of heap");
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    /**
     * Sends {@code request} one byte every {@code pauseMillis} until the server answers or closes.
     *
     * @return "bytesSent response"
     */
    private static String trickle(ServerFixture<?> f, String request, long pauseMillis) throws Exception {
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        try (Socket s = RawHttp.connect(f.address)) {
            OutputStream out = s.getOutputStream();
            int sent = 0;
            try {
                while (sent < bytes.length && s.getInputStream().available() == 0) {
                    out.write(bytes[sent++]);
                    Thread.sleep(pauseMillis); // the client's pace, not a synchronisation
                }
            } catch (IOException closedByTheServer) {
                // the answer, if any, is read below
            }
            return sent + " " + RawHttp.readUntilClosed(s);
        }
    }
}
