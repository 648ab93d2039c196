package dev.fiberio.reliability;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.examples.echo.EchoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Opens what the JVM and fiberio create once and keep (the epoll poller group, the JDK's virtual-thread
 * pollers, class loading), so that a suite's descriptor baseline taken afterwards is stable.
 */
final class Warmup {
    private Warmup() {
    }

    /** One echo exchange from a virtual thread to a throwaway echo server. */
    static void echoOnce() throws InterruptedException {
        FiberScheduler s = TestSchedulers.create(1);
        try (EchoServer server = new EchoServer(s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            InetSocketAddress address = server.address();
            vt.submit(() -> {
                try (Socket c = new Socket(address.getAddress(), address.getPort())) {
                    c.getOutputStream().write(1);
                    return c.getInputStream().read();
                }
            }).get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ExecutionException e) {
            throw new AssertionError("warm-up echo failed", e.getCause());
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }
}
