package dev.fiberio.uring;

import dev.fiberio.net.DatagramSuite;
import dev.fiberio.net.spi.NetProvider;

/** The shared datagram suite, run against the io_uring backend (skipped, with the reason, where io_uring is unavailable). */
@RequiresUring
class UringDatagramSuiteTest extends DatagramSuite {
    private static final NetProvider URING = new UringNetProvider();

    @Override
    protected NetProvider provider() {
        return URING;
    }
}
