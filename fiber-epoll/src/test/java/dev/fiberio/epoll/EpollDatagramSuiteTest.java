package dev.fiberio.epoll;

import dev.fiberio.net.DatagramSuite;
import dev.fiberio.net.spi.NetProvider;

/** The shared datagram suite, run against the epoll backend. */
class EpollDatagramSuiteTest extends DatagramSuite {
    private static final NetProvider EPOLL = new EpollNetProvider();

    @Override
    protected NetProvider provider() {
        return EPOLL;
    }
}
