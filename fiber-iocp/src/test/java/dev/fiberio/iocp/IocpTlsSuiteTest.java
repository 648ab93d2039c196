package dev.fiberio.iocp;

import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.tls.TlsSuite;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The TLS suite against the real IOCP backend. Windows only (the in-memory fake cannot carry the
 * suite's connections to the JDK's own sockets, so it has no TLS variant).
 */
@EnabledOnOs(OS.WINDOWS)
class IocpTlsSuiteTest extends TlsSuite {
    private static final NetProvider IOCP = new IocpNetProvider();

    @Override
    protected NetProvider provider() {
        return IOCP;
    }
}
