package dev.fiberio.net;

import dev.fiberio.net.nio.NioNetProvider;
import dev.fiberio.net.spi.NetProvider;

/** The shared datagram suite on the portable NIO backend. */
class NioDatagramSuiteTest extends DatagramSuite {
    @Override
    protected NetProvider provider() {
        return new NioNetProvider();
    }
}
