package dev.fiberio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.net.nio.NioNetProvider;
import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetProvidersTest {
    private static final NetProvider NATIVE = new FakeProvider("native", 100, null);
    private static final NetProvider BETTER_BUT_BROKEN = new FakeProvider("broken", 200,
            new UnsupportedOperationException("needs Plan 9"));
    private static final NetProvider FALLBACK = new FakeProvider("fallback", 0, null);
    private static final List<NetProvider> ALL = List.of(FALLBACK, BETTER_BUT_BROKEN, NATIVE);

    @Test
    void choosesTheAvailableProviderWithTheHighestPriority() {
        assertSame(NATIVE, NetProviders.select(ALL, null));
        assertSame(NATIVE, NetProviders.select(ALL, " "));
        assertSame(FALLBACK, NetProviders.select(List.of(FALLBACK, BETTER_BUT_BROKEN), null));
    }

    @Test
    void aRequestedNameWinsOverPriority() {
        assertSame(FALLBACK, NetProviders.select(ALL, "fallback"));
        assertSame(FALLBACK, NetProviders.select(ALL, " fallback "));
    }

    @Test
    void anUnavailableRequestNamesTheReason() {
        NetProviderUnavailableException e = assertThrows(NetProviderUnavailableException.class,
                () -> NetProviders.select(ALL, "broken"));
        assertTrue(e.getMessage().contains("'broken' is unavailable") && e.getMessage().contains("needs Plan 9"), e.getMessage());
        assertSame(BETTER_BUT_BROKEN.unavailabilityCause(), e.getCause());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        NetProviderUnavailableException e = assertThrows(NetProviderUnavailableException.class,
                () -> NetProviders.select(ALL, "kqueue"));
        assertTrue(e.getMessage().contains("no fiberio net provider named 'kqueue'"), e.getMessage());
        assertTrue(e.getMessage().contains("native") && e.getMessage().contains("broken (unavailable"), e.getMessage());
    }

    @Test
    void noAvailableProviderIsAnError() {
        NetProviderUnavailableException e = assertThrows(NetProviderUnavailableException.class,
                () -> NetProviders.select(List.of(BETTER_BUT_BROKEN), null));
        assertTrue(e.getMessage().contains("no fiberio net provider is available"), e.getMessage());
        assertThrows(NetProviderUnavailableException.class, () -> NetProviders.select(List.of(), null));
    }

    @Test
    void theServiceLoaderFindsTheNioProvider() {
        NetProvider nio = NetProviders.byName(NioNetProvider.NAME);
        assertInstanceOf(NioNetProvider.class, nio);
        assertTrue(nio.isAvailable());
        assertEquals(null, nio.unavailabilityCause());
        assertEquals(NioNetProvider.PRIORITY, nio.priority());
        assertTrue(NetProviders.all().stream().anyMatch(p -> p instanceof NioNetProvider));
        assertTrue(NetProviders.defaultProvider().priority() >= NioNetProvider.PRIORITY);
    }

    @Test
    void theSystemPropertySelectsTheProvider() {
        String old = System.getProperty(NetProviders.PROVIDER_PROPERTY);
        try {
            System.setProperty(NetProviders.PROVIDER_PROPERTY, "no-such-backend");
            assertThrows(NetProviderUnavailableException.class, FiberSocket::open);
            System.setProperty(NetProviders.PROVIDER_PROPERTY, NioNetProvider.NAME);
            assertEquals(NioNetProvider.NAME, FiberSocket.open().provider().name());
            assertEquals(NioNetProvider.NAME, FiberServerSocket.open().provider().name());
        } finally {
            if (old == null) {
                System.clearProperty(NetProviders.PROVIDER_PROPERTY);
            } else {
                System.setProperty(NetProviders.PROVIDER_PROPERTY, old);
            }
        }
    }

    /** A provider that only answers the selection questions. */
    private record FakeProvider(String name, int priority, Throwable unavailabilityCause) implements NetProvider {
        @Override
        public boolean isAvailable() {
            return unavailabilityCause == null;
        }

        @Override
        public SocketHandle openSocket(ProtocolFamily family) throws IOException {
            throw new IOException("fake provider " + name, unavailabilityCause);
        }

        @Override
        public ServerSocketHandle openServerSocket(ProtocolFamily family) throws IOException {
            throw new IOException("fake provider " + name, unavailabilityCause);
        }
    }
}
