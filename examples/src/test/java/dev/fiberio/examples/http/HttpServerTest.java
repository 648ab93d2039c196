package dev.fiberio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP example against real clients: the JDK's HttpClient and raw sockets. */
class HttpServerTest {
    private FiberScheduler scheduler;
    private HttpServer server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        scheduler = TestSchedulers.create(2);
        server = new HttpServer(scheduler, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofSeconds(5));
        port = server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
        TestSchedulers.closeChecked(scheduler);
    }

    @Test
    void answersTheJdkHttpClientOnBothEndpoints() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plain.statusCode());
            assertEquals("Hello, World!", plain.body());
            assertEquals("text/plain", plain.headers().firstValue("content-type").orElseThrow());
            HttpResponse<String> json = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"message\":\"Hello, World!\"}", json.body());
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString("body")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    @Test
    void pipelinedRequestsAreAllAnsweredInOrderOnOneConnection() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            StringBuilder req = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                req.append(i % 2 == 0 ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            req.append("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(51, count(all, "HTTP/1.1 200 OK"));
            assertEquals(25, count(all, "{\"message\""));
            assertTrue(all.indexOf("Hello, World!") < all.indexOf("{\"message\""), "in request order");
        }
    }

    @Test
    void malformedRequestGets400AndTheServerKeepsServing() throws Exception {
        assertTrue(exchange("GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange("GET / HTTP/1.1\r\nHost: x\r\nX: " + "a".repeat(20_000) + "\r\n\r\n").startsWith("HTTP/1.1 431 "));
        assertTrue(exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n").startsWith("HTTP/1.1 413 "));
        assertTrue(exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 200 "));
    }

    @Test
    void survivesRandomAndMutatedInputAndAnswersOrClosesEveryConnection() throws Exception {
        Random random = new Random(42);
        byte[] valid = "GET /json HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 200; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = new byte[1 + random.nextInt(300)];
                random.nextBytes(input);
            } else {
                input = valid.clone();
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(input);
                s.shutdownOutput(); // end of input: the server must answer what it can, then close
                s.getInputStream().readAllBytes(); // returns only once the server closed the connection
            }
        }
        assertTrue(exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 200 "));
    }

    @Test
    void headHasHeadersButNoBodyAndHttp10Closes() throws IOException {
        String head = exchange("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(head.contains("Content-Length: 13"), head);
        assertTrue(head.endsWith("\r\n\r\n"), head);
        String old = exchange("GET /json HTTP/1.0\r\n\r\n"); // returns because the server closes
        assertTrue(old.contains("Connection: close") && old.endsWith("}"), old);
    }

    @Test
    void aClientThatKeepsTricklingAfterTheLastResponseIsClosedWithinTheLingerBound() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200 "), response); // then the server half-closed
            // Keep sending a byte every 100 ms, each well within the 2 s the lingering close waits per
            // read; the server must still close in bounded time (its writes then fail with a reset).
            long start = System.nanoTime();
            boolean closedByServer = false;
            while (!closedByServer && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                try {
                    out.write('x');
                    Thread.sleep(100); // the trickle's pace, not a synchronisation
                } catch (IOException e) {
                    closedByServer = true;
                }
            }
            assertTrue(closedByServer, "the lingering close still reads from a trickling client after 20 s");
        }
    }

    private String exchange(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
