package dev.fiberio.epoll;

import dev.fiberio.net.UnixSocketSuite;
import dev.fiberio.net.spi.NetProvider;

/** The socket suite over Unix domain sockets, run against the epoll backend. */
class EpollUnixSocketSuiteTest extends UnixSocketSuite {
    private static final NetProvider EPOLL = new EpollNetProvider();

    @Override
    protected NetProvider provider() {
        return EPOLL;
    }
}
