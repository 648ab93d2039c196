package dev.fiberio.net;

import dev.fiberio.net.nio.NioNetProvider;
import dev.fiberio.net.spi.NetProvider;

/** The shared socket suite on the portable NIO backend. */
class NioSocketSuiteTest extends SocketSuite {
    @Override
    protected NetProvider provider() {
        return new NioNetProvider();
    }

    @Override
    protected boolean awaitsReadableWithoutABuffer() {
        return true;
    }
}
