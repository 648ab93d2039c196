package dev.fiberio.net.spi;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.Set;

/**
 * What {@link SocketHandle} and {@link ServerSocketHandle} have in common: options, the local
 * address and closing.
 *
 * <p>Closing contract: {@link #close()} is idempotent, may be called from any thread or fiber at any
 * time (also while other callers are blocked in the handle), releases the native socket, and wakes
 * every caller blocked in the handle, which then throws {@link SocketErrors#socketClosed()}. Every
 * later operation other than {@code close} and {@code isOpen} throws the same.
 */
public interface NetHandle extends Closeable {
    /**
     * Sets a socket option. Values were validated by the caller (non-null, buffer sizes positive).
     *
     * @param option the option, one of {@link #supportedOptions()}
     * @param value  its value
     * @param <T>    the value type
     * @throws IOException                   if the system refuses the value, or the handle is closed
     * @throws UnsupportedOperationException if the option is not supported
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /**
     * Reads a socket option.
     *
     * @param option the option, one of {@link #supportedOptions()}
     * @param <T>    the value type
     * @return its current value
     * @throws IOException                   if the handle is closed
     * @throws UnsupportedOperationException if the option is not supported
     */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /**
     * The options this handle supports; at least those listed by the sub-interface.
     *
     * @return an unmodifiable set
     */
    Set<SocketOption<?>> supportedOptions();

    /**
     * The local address: an {@link java.net.InetSocketAddress}, or for an {@code AF_UNIX} handle a
     * {@link java.net.UnixDomainSocketAddress}.
     *
     * @return the bound address, or {@code null} if not bound yet (an unnamed {@code AF_UNIX} socket,
     *         such as a connected client's, has no bound name either)
     * @throws IOException if the handle is closed
     */
    SocketAddress localAddress() throws IOException;

    /**
     * Whether {@link #close()} has not been called (a connection reset does not close a handle).
     *
     * @return true while open
     */
    boolean isOpen();

    /**
     * Closes the handle and wakes every blocked caller (see the class comment). Idempotent.
     *
     * @throws IOException if releasing the native socket reported an error (the handle is closed anyway)
     */
    @Override
    void close() throws IOException;
}
