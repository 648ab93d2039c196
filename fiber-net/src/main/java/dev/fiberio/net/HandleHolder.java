package dev.fiberio.net;

import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.net.spi.NetHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The backend handle behind a {@link FiberSocket} or {@link FiberServerSocket}, and its closed state.
 * The handle is created lazily, once the address family is known (at bind or connect); options set
 * before then are remembered and applied when it is created.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code handle}, {@code family} and {@code closed} are written only while holding this object's
 *       monitor, which is held for short non-blocking steps (creating a handle, setting options), never
 *       across a wait. {@code handle} and {@code closed} are volatile, so the I/O paths read them
 *       without the monitor.</li>
 *   <li>{@link #close()} marks closed under the monitor and then closes the handle outside it; the
 *       handle's close wakes whoever is blocked in it. A handle created after {@code closed} was set is
 *       impossible: {@link #open} checks it under the monitor.</li>
 *   <li>{@code pending} holds options set before the handle exists (guarded by the monitor).</li>
 * </ul>
 *
 * @param <H> the handle type
 */
final class HandleHolder<H extends NetHandle> {
    /** Creates a handle of a family; the SPI's open method. */
    @FunctionalInterface
    interface Opener<H> {
        H open(ProtocolFamily family) throws IOException;
    }

    private final Opener<H> opener;
    private final Set<SocketOption<?>> earlyOptions;
    private Map<SocketOption<?>, Object> pending = Map.of(); // made on the first early option: an accepted socket never needs one
    private volatile H handle;
    private volatile boolean closed;
    private ProtocolFamily family;

    /**
     * @param opener       creates the handle
     * @param earlyOptions the options that may be set before the handle exists
     */
    HandleHolder(Opener<H> opener, Set<SocketOption<?>> earlyOptions) {
        this.opener = opener;
        this.earlyOptions = earlyOptions;
    }

    /** A holder around an existing handle (an accepted socket). */
    HandleHolder(H existing, ProtocolFamily family) {
        this.opener = f -> {
            throw new IllegalStateException("handle already created");
        };
        this.earlyOptions = Set.of();
        this.handle = existing;
        this.family = family;
    }

    /** The handle, or null if not created yet. */
    H current() {
        return handle;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Throws "Socket is closed" if closed: java.net's message for connect, bind, accept, shutdown and
     * options on a closed socket.
     *
     * @throws SocketException if closed
     */
    void ensureOpen() throws SocketException {
        if (closed) {
            throw SocketErrors.socketIsClosed();
        }
    }

    /**
     * Throws "Socket closed" if closed: java.net's message for a read or write on a closed socket.
     *
     * @throws SocketException if closed
     */
    void ensureOpenForIo() throws SocketException {
        if (closed) {
            throw SocketErrors.socketClosed();
        }
    }

    /**
     * Closes the socket because the caller was cancelled while blocked in it (as java.net closes the
     * socket of an interrupted virtual thread), and returns the exception to throw.
     *
     * @param cancelled the cancellation
     * @return {@code SocketException("Closed by interrupt")} caused by {@code cancelled}
     */
    SocketException closeByInterrupt(FiberCancelledException cancelled) {
        SocketException e = SocketErrors.closedByInterrupt(cancelled);
        try {
            close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
        return e;
    }

    /** The family of the current handle, or null if none. */
    synchronized ProtocolFamily family() {
        return handle == null ? null : family;
    }

    /**
     * The handle, created for {@code wanted} if there is none yet.
     *
     * @throws SocketException if closed, or if the existing handle has another family
     */
    H open(ProtocolFamily wanted) throws IOException {
        H h;
        Exception failure = null;
        synchronized (this) {
            ensureOpen();
            h = handle;
            if (h != null) {
                if (family != wanted) {
                    throw new SocketException("the socket is already " + familyName(family) + " (bound or connected) and cannot use an "
                            + familyName(wanted) + " address");
                }
                return h;
            }
            h = opener.open(wanted); // SPI: does not suspend, so it may run under this monitor
            try {
                for (Map.Entry<SocketOption<?>, Object> e : pending.entrySet()) {
                    apply(h, e.getKey(), e.getValue());
                }
                handle = h;
                family = wanted;
                return h;
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
        }
        closeSuppressing(h, failure); // outside the monitor: a backend's close may wait
        if (failure instanceof IOException io) {
            throw io;
        }
        throw (RuntimeException) failure;
    }

    /**
     * Closes a handle whose connect failed and forgets it, so that the next {@link #open} creates a
     * fresh one (connect tries the next address).
     */
    void discard(H failed) throws IOException {
        synchronized (this) {
            if (handle == failed) {
                handle = null;
                family = null;
            }
        }
        failed.close();
    }

    /** Closes the handle (waking its blocked callers). Idempotent. */
    void close() throws IOException {
        H h;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            h = handle;
        }
        if (h != null) {
            h.close();
        }
    }

    /**
     * Sets an option on the handle, or remembers it until the handle exists.
     *
     * @throws UnsupportedOperationException if it cannot be set before the handle exists, or at all
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException {
        checkValue(option, value);
        ensureOpen();
        H h;
        synchronized (this) { // options are rare: no double-checking
            h = handle;
            if (h == null) {
                if (!earlyOptions.contains(option)) {
                    throw new UnsupportedOperationException("option " + option.name()
                            + " can only be set once the socket is bound or connected; before that: " + earlyOptions);
                }
                if (pending.isEmpty()) {
                    pending = new LinkedHashMap<>();
                }
                pending.put(option, value);
                return;
            }
        }
        h.setOption(option, value);
    }

    /**
     * Reads an option from the handle or, before it exists, the value set earlier.
     *
     * @throws SocketException if the handle does not exist and the option was not set
     */
    <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        ensureOpen();
        H h;
        synchronized (this) {
            h = handle;
            if (h == null) {
                Object v = pending.get(option);
                if (v == null) {
                    throw new SocketException("option " + option.name() + " has no value yet: set it, or bind or connect the socket first");
                }
                return option.type().cast(v);
            }
        }
        return h.getOption(option);
    }

    /** The options of the handle, or those that may be set before it exists. */
    Set<SocketOption<?>> supportedOptions() {
        H h = handle;
        return h == null ? earlyOptions : h.supportedOptions();
    }

    private static <T> void apply(NetHandle h, SocketOption<T> option, Object value) throws IOException {
        h.setOption(option, option.type().cast(value));
    }

    /** The checks {@code java.net.Socket} makes before touching the socket. */
    private static <T> void checkValue(SocketOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(value, "value");
        if (!option.type().isInstance(value)) { // possible through raw types; stored, it would break the later bind or connect
            throw new IllegalArgumentException("Invalid value for " + option.name() + ": " + value + " is not a "
                    + option.type().getSimpleName());
        }
        if ((option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF) && (Integer) value <= 0) {
            throw new IllegalArgumentException("Invalid " + option.name() + " size: " + value);
        }
    }

    private static void closeSuppressing(NetHandle h, Exception e) {
        try {
            h.close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    private static String familyName(ProtocolFamily f) {
        return f == java.net.StandardProtocolFamily.INET6 ? "IPv6" : f == java.net.StandardProtocolFamily.UNIX ? "a Unix domain socket" : "IPv4";
    }
}
