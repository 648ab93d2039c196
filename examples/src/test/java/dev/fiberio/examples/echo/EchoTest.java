package dev.fiberio.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.examples.proxy.TcpProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EchoTest {

    @Test
    void echoClientVerifiesEveryMessageOnManyConnections() throws Exception {
        FiberScheduler s = TestSchedulers.create(2);
        try (EchoServer server = new EchoServer(s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            EchoClientMain.Result r = EchoClientMain.run(server.address(), 50, 200, 64, 2);
            assertEquals(50L * 200, r.verified());
            assertEquals(0, r.failed());
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void theProxyForwardsBothWaysToTheEchoServer() throws Exception {
        FiberScheduler s = TestSchedulers.create(2);
        try (EchoServer server = new EchoServer(s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TcpProxy proxy = new TcpProxy(s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), server.address())) {
            EchoClientMain.Result r = EchoClientMain.run(proxy.address(), 20, 100, 1000, 2);
            assertEquals(20L * 100, r.verified());
            assertEquals(0, r.failed());
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }
}
