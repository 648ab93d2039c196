package dev.fiberio.epoll;

import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.tls.TlsSuite;

/** The TLS suite, run against the epoll backend. */
class EpollTlsSuiteTest extends TlsSuite {
    private static final NetProvider EPOLL = new EpollNetProvider();

    @Override
    protected NetProvider provider() {
        return EPOLL;
    }
}
