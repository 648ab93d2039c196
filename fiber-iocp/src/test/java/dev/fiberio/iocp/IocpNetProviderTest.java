package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.net.NetProviders;
import dev.fiberio.net.spi.NetProvider;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The provider's identity, its registration, and what it says where IOCP does not exist. */
class IocpNetProviderTest {
    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    @Test
    void isRegisteredAsIocpWithPriority100() {
        NetProvider iocp = NetProviders.all().stream().filter(p -> p.name().equals("iocp")).findFirst().orElseThrow();
        assertEquals(IocpNetProvider.class, iocp.getClass());
        assertEquals(100, iocp.priority());
    }

    @Test
    void isAvailableExactlyOnWindowsAndSaysWhyNotElsewhere() {
        IocpNetProvider provider = new IocpNetProvider();
        assertEquals(WINDOWS, provider.isAvailable());
        if (WINDOWS) {
            assertNull(provider.unavailabilityCause());
            return;
        }
        Throwable cause = provider.unavailabilityCause();
        assertNotNull(cause);
        assertTrue(cause.getMessage().contains("IOCP needs Windows"), cause.getMessage());
        IOException e = assertThrows(IOException.class, () -> provider.openSocket(StandardProtocolFamily.INET));
        assertSame(cause, e.getCause());
        assertThrows(IOException.class, () -> provider.openServerSocket(StandardProtocolFamily.INET6));
    }

    @Test
    void onlyInternetFamiliesAreSupported() throws Exception {
        try (FakeIocp iocp = new FakeIocp(1)) {
            assertThrows(UnsupportedOperationException.class, () -> iocp.provider.openSocket(StandardProtocolFamily.UNIX));
            assertThrows(NullPointerException.class, () -> iocp.provider.openServerSocket(null));
            iocp.provider.openSocket(StandardProtocolFamily.INET6).close();
            assertEquals(1, iocp.calls().count("wsaStartup"), "Winsock started once, with the first socket");
            assertEquals(1, iocp.calls().count("loadExtensionFunctions"), "extension functions loaded once");
        }
    }
}
