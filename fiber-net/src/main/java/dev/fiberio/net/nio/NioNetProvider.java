package dev.fiberio.net.nio;

import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The NIO backend's provider: always available, priority {@link #PRIORITY} (the lowest), name
 * {@link #NAME}. Handles are registered with the {@link NioPoller} of the caller's scheduler.
 */
public final class NioNetProvider implements NetProvider {
    /** The provider's name, for {@code -Dfiberio.net.provider=nio}. */
    public static final String NAME = "nio";
    /** The provider's priority: below every native backend. */
    public static final int PRIORITY = 0;

    /** Creates the provider (no I/O; {@link java.util.ServiceLoader} calls this). */
    public NioNetProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public SocketHandle openSocket(ProtocolFamily family) throws IOException {
        // Owner of the descriptor: the handle built below (adopt closes it if building fails); released
        // by the handle's close(), or by the poller's shutdown when the scheduler closes.
        SocketChannel ch = open(family, true, SocketChannel::open);
        return NioHandle.adopt(ch, () -> new NioSocketHandle(ch, NioPoller.forCaller()));
    }

    @Override
    public ServerSocketHandle openServerSocket(ProtocolFamily family) throws IOException {
        // Owner: as in openSocket.
        ServerSocketChannel ch = open(family, true, ServerSocketChannel::open);
        return NioHandle.adopt(ch, () -> new NioServerSocketHandle(ch, NioPoller.forCaller()));
    }

    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        // Owner: as in openSocket.
        DatagramChannel ch = open(family, false, DatagramChannel::open);
        return NioHandle.adopt(ch, () -> new NioDatagramHandle(ch, NioPoller.forCaller()));
    }

    private static <C> C open(ProtocolFamily family, boolean unixToo, ChannelOpener<C> opener) throws IOException {
        boolean unix = unixToo && family == StandardProtocolFamily.UNIX;
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6 && !unix) {
            throw new UnsupportedOperationException("protocol family " + family + " is not supported; use INET or INET6"
                    + (unixToo ? " or UNIX" : ""));
        }
        try {
            return opener.open(family);
        } catch (UnsupportedOperationException e) { // the JDK's answer when IPv6 is off
            throw new SocketException("protocol family " + family + " is not available on this machine: " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface ChannelOpener<C> {
        C open(ProtocolFamily family) throws IOException;
    }

    @Override
    public String toString() {
        return "NioNetProvider[" + NAME + ", priority " + PRIORITY + "]";
    }
}
