package dev.fiberio.net.compat;

import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;

/**
 * The {@link Socket} a {@link FiberSocketFactory} hands out: {@code java.net.Socket}'s own logic
 * (state checks, stream wrappers) over a {@link FiberSocketImpl}.
 */
final class FiberBackedSocket extends Socket {
    private final FiberSocketImpl impl;

    private FiberBackedSocket(FiberSocketImpl impl) throws SocketException {
        super(impl);
        this.impl = impl;
    }

    static FiberBackedSocket over(FiberSocket socket) throws SocketException {
        return new FiberBackedSocket(new FiberSocketImpl(socket));
    }

    /**
     * {@code Socket.close()} closes its impl inside a {@code synchronized} block, where a fiber must
     * not suspend; the fiber socket is closed first, outside it, so what is left for
     * {@code super.close()} (marking the socket closed) never waits.
     */
    @Override
    public void close() throws IOException {
        try {
            impl.fiberSocket().close();
        } finally {
            super.close();
        }
    }

    @Override
    public String toString() {
        return "FiberBackedSocket[" + impl.fiberSocket() + "]";
    }
}
