package dev.fiberio.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fiberio.net.FiberDatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The io_uring backend has no datagram sockets: the first use of one says so, and nothing is opened. */
class UringDatagramUnsupportedTest {
    @Test
    void aDatagramSocketSaysThatTheBackendHasNone() throws Exception {
        try (FiberDatagramSocket s = FiberDatagramSocket.open(new UringNetProvider())) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            assertEquals(UringNetProvider.UNSUPPORTED_DATAGRAMS, e.getMessage());
        }
    }
}
