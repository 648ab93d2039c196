package dev.fiberio.uring;

import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.tls.TlsSuite;

/** The TLS suite, run against the io_uring backend (skipped, with the reason, where io_uring is unavailable). */
@RequiresUring
class UringTlsSuiteTest extends TlsSuite {
    private static final NetProvider URING = new UringNetProvider();

    @Override
    protected NetProvider provider() {
        return URING;
    }
}
