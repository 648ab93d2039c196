package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fiberio.net.FiberDatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The IOCP backend has no datagram sockets: the first use of one says so, and no socket is created. */
class IocpDatagramUnsupportedTest {
    @Test
    void aDatagramSocketSaysThatTheBackendHasNone() throws Exception {
        try (FakeIocp iocp = new FakeIocp(1); FiberDatagramSocket s = FiberDatagramSocket.open(iocp.provider)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> s.send(java.nio.ByteBuffer.allocate(1), new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)));
            assertEquals(IocpNetProvider.UNSUPPORTED_DATAGRAMS, e.getMessage());
            assertEquals(0, iocp.live());
        }
    }
}
