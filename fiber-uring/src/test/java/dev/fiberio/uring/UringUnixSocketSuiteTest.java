package dev.fiberio.uring;

import dev.fiberio.net.UnixSocketSuite;
import dev.fiberio.net.spi.NetProvider;

/** The socket suite over Unix domain sockets, run against the io_uring backend (skipped, with the reason, where io_uring is unavailable). */
@RequiresUring
class UringUnixSocketSuiteTest extends UnixSocketSuite {
    private static final NetProvider URING = new UringNetProvider();

    @Override
    protected NetProvider provider() {
        return URING;
    }
}
