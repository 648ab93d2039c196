package dev.fiberio.examples.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.epoll.EpollNetProvider;
import dev.fiberio.examples.echo.EchoServer;
import dev.fiberio.examples.http.HttpServer;
import dev.fiberio.examples.proxy.TcpProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Regression: closing an example server after its scheduler threw (the acceptor fiber had ended
 * cancelled, and close rethrew that from join); and a server started on a closed scheduler left its
 * listening socket open.
 */
class ServerShutdownOrderTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void eachServerClosesQuietlyAfterItsSchedulerAndReleasesItsListener() throws Exception {
        long before = EpollNetProvider.openDescriptors();
        FiberScheduler s = FiberScheduler.builder().workers(1).shutdownTimeout(Duration.ofMillis(100)).build();
        EchoServer echo = new EchoServer(s, ANY);
        HttpServer http = new HttpServer(s, ANY, Duration.ofSeconds(5));
        TcpProxy proxy = new TcpProxy(s, ANY, echo.address());
        assertEquals(before + 3, EpollNetProvider.openDescriptors(), "three listeners");
        TestSchedulers.closeChecked(s); // cancels the three acceptors
        echo.close();
        http.close();
        proxy.close();
        proxy.close(); // idempotent
        assertEquals(before, EpollNetProvider.openDescriptors(), "the listeners were closed");
    }

    @Test
    void listeningOnAClosedSchedulerLeavesNothingOpen() {
        long before = EpollNetProvider.openDescriptors();
        FiberScheduler s = TestSchedulers.create(1);
        s.close();
        assertThrows(RejectedExecutionException.class, () -> AcceptLoop.listen("x", s, ANY, 10, c -> { },
                LoggerFactory.getLogger(ServerShutdownOrderTest.class)));
        assertEquals(before, EpollNetProvider.openDescriptors());
    }
}
