package dev.fiberio.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.bench.servers.BenchServer;
import dev.fiberio.bench.servers.NettyEchoServer;
import dev.fiberio.bench.servers.ServerOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class IdleConnectionsTest {
    @Test
    void holdsEveryConnectionAfterOneRoundTripFromSeveralSourceAddresses() throws Exception {
        try (BenchServer server = NettyEchoServer.start(new ServerOptions(ServerOptions.LOOPBACK, 0, 1))) {
            IdleConnections held = IdleConnections.open(
                    new InetSocketAddress(ServerOptions.LOOPBACK, server.port()), 30, 3);
            try {
                assertEquals(30, held.size());
                assertTrue(held.allOpen());
            } finally {
                held.close();
            }
            assertFalse(held.allOpen());
        }
    }

    @Test
    void aServerThatDoesNotEchoFailsTheHolder() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread closer = Thread.ofVirtual().start(() -> {
                try {
                    silent.accept().close(); // accept, then close without echoing
                } catch (IOException e) {
                    // listener closed by the test
                }
            });
            assertThrows(IOException.class, () -> IdleConnections.open(
                    new InetSocketAddress(ServerOptions.LOOPBACK, silent.getLocalPort()), 1, 0));
            closer.join();
        }
    }

    @Test
    void sourceAddressesGrowWithTheConnectionCount() {
        assertEquals(1, IdleConnections.sourceAddressesFor(10_000));
        assertEquals(1, IdleConnections.sourceAddressesFor(20_000));
        assertEquals(3, IdleConnections.sourceAddressesFor(50_000));
    }
}
