package dev.fiberio.uring;

import dev.fiberio.net.SocketSuite;
import dev.fiberio.net.spi.NetProvider;

/** The shared socket suite, run against the io_uring backend (skipped, with the reason, where io_uring is unavailable). */
@RequiresUring
class UringSocketSuiteTest extends SocketSuite {
    private static final NetProvider URING = new UringNetProvider();

    @Override
    protected NetProvider provider() {
        return URING;
    }

    @Override
    protected boolean awaitsReadableWithoutABuffer() {
        return true;
    }
}
