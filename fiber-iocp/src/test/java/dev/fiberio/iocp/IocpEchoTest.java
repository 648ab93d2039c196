package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connections accepted with AcceptEx and connected with ConnectEx through the fake port, echoing. */
class IocpEchoTest {
    private final FakeIocp iocp = new FakeIocp(3);
    private final FiberScheduler scheduler = TestSchedulers.create(4);

    @AfterEach
    void tearDown() throws Exception {
        TestSchedulers.closeChecked(scheduler);
        // The listener's posted AcceptEx records go when their aborted completions were dequeued.
        awaitCondition("records released once their sockets were closed", () -> iocp.live() == 0);
        assertEquals(0, iocp.group().port.channels().size(), "table entries removed");
        iocp.close();
    }

    @Test
    void echoesThroughAcceptExAndConnectEx() throws Exception {
        byte[] data = new byte[50_000];
        new Random(1).nextBytes(data);
        try (FiberServerSocket server = FiberServerSocket.open(iocp.provider)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            CompletableFuture<Void> echo = new CompletableFuture<>();
            scheduler.spawn(() -> {
                try (FiberSocket c = server.accept()) {
                    byte[] buf = new byte[3000];
                    for (int n; (n = c.read(buf, 0, buf.length)) > 0; ) {
                        c.write(buf, 0, n);
                    }
                    echo.complete(null);
                } catch (Throwable t) {
                    echo.completeExceptionally(t);
                }
            });
            byte[] back = TestSchedulers.inFiber(scheduler, () -> {
                try (FiberSocket c = FiberSocket.open(iocp.provider)) {
                    c.connect(server.localAddress());
                    assertEquals(server.localAddress().getPort(), c.remoteAddress().getPort());
                    CompletableFuture<byte[]> received = new CompletableFuture<>();
                    scheduler.spawn(() -> {
                        try {
                            byte[] all = new byte[data.length];
                            c.readFully(all, 0, all.length);
                            received.complete(all);
                        } catch (Throwable t) {
                            received.completeExceptionally(t);
                        }
                    });
                    c.write(data);
                    c.shutdownOutput();
                    return dev.fiberio.core.Fiber.await(received);
                }
            });
            echo.join();
            assertArrayEquals(data, back);
        }
    }
}
