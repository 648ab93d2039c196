package dev.fiberio.net.tls;

import dev.fiberio.net.nio.NioNetProvider;
import dev.fiberio.net.spi.NetProvider;

/** The TLS suite on the portable NIO backend. */
class NioTlsSuiteTest extends TlsSuite {
    @Override
    protected NetProvider provider() {
        return new NioNetProvider();
    }
}
