package dev.fiberio.net.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.junit.FiberTest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real blocking client library, OkHttp, given a {@link FiberSocketFactory}, against the JDK's HTTP
 * server on loopback: its calls made in fibers go through fiber sockets, and a call waiting for its
 * response suspends the fiber instead of holding the scheduler's only worker.
 */
class OkHttpOverFiberSocketsTest {
    private HttpServer http;
    private final CompletableFuture<Void> slowRequestArrived = new CompletableFuture<>();
    private final CountDownLatch otherFiberRan = new CountDownLatch(1);
    private final List<Socket> created = new CopyOnWriteArrayList<>();

    /** Records every socket OkHttp asks for, so the test can see that the factory was used. */
    private final FiberSocketFactory factory = new FiberSocketFactory() {
        @Override
        public Socket createSocket() throws IOException {
            Socket s = super.createSocket();
            created.add(s);
            return s;
        }
    };

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        http.createContext("/hello", exchange -> {
            byte[] body = ("hello " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // Answers only after another fiber of the client's scheduler has run: with one worker, that
        // fiber can run only if the client's wait for this response suspended rather than blocked.
        http.createContext("/slow", exchange -> {
            slowRequestArrived.complete(null);
            boolean ran;
            try {
                ran = otherFiberRan.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                ran = false;
            }
            byte[] body = (ran ? "other fiber ran" : "worker was blocked").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ran ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private String url(String pathAndQuery) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + pathAndQuery;
    }

    /** The body runs in a fiber of a scheduler @FiberTest owns; a leaked fiber or a violation fails it. */
    @FiberTest(workers = 2)
    void requestsFromManyFibersGoThroughFiberSockets() throws Exception {
        OkHttpClient client = new OkHttpClient.Builder().socketFactory(factory).build();
        try {
            List<Fiber> fibers = new ArrayList<>();
            String[] bodies = new String[20];
            for (int i = 0; i < bodies.length; i++) {
                int n = i;
                fibers.add(Fiber.spawn(() -> {
                    try (Response r = client.newCall(new Request.Builder().url(url("/hello?n=" + n)).build()).execute()) {
                        bodies[n] = r.code() + " " + r.body().string();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
            }
            for (Fiber f : fibers) {
                f.join(); // orders the fiber's write of bodies[n] before the reads below
            }
            for (int i = 0; i < bodies.length; i++) {
                assertEquals("200 hello n=" + i, bodies[i]);
            }
            assertTrue(!created.isEmpty(), "OkHttp did not use the socket factory");
            for (Socket s : created) {
                assertInstanceOf(FiberBackedSocket.class, s);
            }
        } finally {
            client.connectionPool().evictAll();
            client.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void aCallWaitingForItsResponseLeavesTheOnlyWorkerToOtherFibers() throws Exception {
        OkHttpClient client = new OkHttpClient.Builder().socketFactory(factory).build();
        FiberScheduler one = TestSchedulers.create(1);
        try {
            CompletableFuture<String> answer = new CompletableFuture<>();
            one.spawn(() -> {
                try (Response r = client.newCall(new Request.Builder().url(url("/slow")).build()).execute()) {
                    answer.complete(r.code() + " " + r.body().string());
                } catch (Throwable t) {
                    answer.completeExceptionally(t);
                }
            });
            Fiber other = one.spawn(() -> {
                Fiber.await(slowRequestArrived);
                otherFiberRan.countDown();
            });
            assertEquals("200 other fiber ran", answer.get(60, TimeUnit.SECONDS));
            other.join();
        } finally {
            client.connectionPool().evictAll();
            client.dispatcher().executorService().shutdown();
            TestSchedulers.closeChecked(one);
        }
    }
}
