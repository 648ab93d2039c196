package dev.fiberio.net;

import dev.fiberio.net.nio.NioNetProvider;
import dev.fiberio.net.spi.NetProvider;

/** The socket suite over Unix domain sockets on the portable NIO backend. */
class NioUnixSocketSuiteTest extends UnixSocketSuite {
    @Override
    protected NetProvider provider() {
        return new NioNetProvider();
    }

    @Override
    protected boolean awaitsReadableWithoutABuffer() {
        return true;
    }
}
