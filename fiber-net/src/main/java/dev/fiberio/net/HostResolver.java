package dev.fiberio.net;

import dev.fiberio.core.Fiber;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns socket addresses into resolved {@link InetAddress}es. A name lookup may block for seconds, so
 * in a fiber it runs on the scheduler's blocking-offload pool ({@link Fiber#blocking}) while the fiber
 * suspends; on a plain thread it runs directly.
 */
final class HostResolver {
    /** The IPv4 wildcard address with port 0: what {@code bind(null)} binds to. */
    static final InetSocketAddress IPV4_WILDCARD = new InetSocketAddress(ipv4Any(), 0);

    private HostResolver() {
    }

    private static InetAddress ipv4Any() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Checks that {@code address} is an {@link InetSocketAddress}.
     *
     * @throws NullPointerException     if null
     * @throws IllegalArgumentException for another address type (such as a Unix domain address)
     */
    static InetSocketAddress inet(SocketAddress address, String what) {
        if (address == null) {
            throw new NullPointerException(what);
        }
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("Unsupported address type " + address.getClass().getName()
                    + " for " + what + ": fiberio sockets take an InetSocketAddress");
        }
        return isa;
    }

    /**
     * The addresses of {@code address}: itself if resolved, else every address of its host name, in
     * the order the name service gives them.
     *
     * @throws UnknownHostException if the name cannot be resolved
     */
    static List<InetAddress> resolve(InetSocketAddress address) throws IOException {
        if (!address.isUnresolved()) {
            return List.of(address.getAddress());
        }
        String host = address.getHostString();
        if (Fiber.current() == null) {
            return List.of(InetAddress.getAllByName(host));
        }
        try {
            return List.of(Fiber.blocking(() -> InetAddress.getAllByName(host)));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("resolving " + host + " failed", e);
        }
    }
}
