package dev.fiberio.epoll;

import dev.fiberio.net.SocketSuite;
import dev.fiberio.net.spi.NetProvider;

/** The shared socket suite, run against the epoll backend. */
class EpollSocketSuiteTest extends SocketSuite {
    private static final NetProvider EPOLL = new EpollNetProvider();

    @Override
    protected NetProvider provider() {
        return EPOLL;
    }

    @Override
    protected boolean awaitsReadableWithoutABuffer() {
        return true;
    }
}
