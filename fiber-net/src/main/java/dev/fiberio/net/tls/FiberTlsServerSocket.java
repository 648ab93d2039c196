package dev.fiberio.net.tls;

import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A listener whose accepted connections are TLS server sockets. {@link #accept()} does not run the
 * handshake, so one slow or hostile client never holds up the accept loop: the handshake runs on the
 * connection's first read or write (or {@link FiberTlsSocket#startHandshake()}), in the fiber that
 * serves it.
 *
 * <pre>{@code
 * FiberTlsServerSocket server = FiberTlsServerSocket.of(
 *         FiberServerSocket.open().bind(new InetSocketAddress(8443)), sslContext, null);
 * while (true) {
 *     FiberTlsSocket s = server.accept();
 *     scheduler.spawn(() -> serve(s));
 * }
 * }</pre>
 */
public final class FiberTlsServerSocket implements Closeable {
    private final FiberServerSocket listener;
    private final SSLContext context;
    private final SSLParameters parameters;

    private FiberTlsServerSocket(FiberServerSocket listener, SSLContext context, SSLParameters parameters) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.context = Objects.requireNonNull(context, "context");
        this.parameters = parameters;
    }

    /**
     * Wraps a bound listener.
     *
     * @param listener   the bound listener (closed with this one)
     * @param context    the TLS context with the server's keys
     * @param parameters applied to every accepted connection's engine (client authentication, ALPN,
     *                   protocols...), or null for the context's defaults
     * @return the TLS listener
     */
    public static FiberTlsServerSocket of(FiberServerSocket listener, SSLContext context, SSLParameters parameters) {
        return new FiberTlsServerSocket(listener, context, parameters);
    }

    /**
     * Accepts the next connection, as {@link FiberServerSocket#accept()}.
     *
     * @return its TLS socket, before the handshake
     * @throws IOException as {@link FiberServerSocket#accept()}
     */
    public FiberTlsSocket accept() throws IOException {
        FiberSocket s = listener.accept();
        try {
            return FiberTlsSocket.server(s, context, parameters);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The underlying listener, for its options and timeouts.
     *
     * @return the listener
     */
    public FiberServerSocket listener() {
        return listener;
    }

    /**
     * The address it listens on.
     *
     * @return the address
     * @throws IOException if closed
     */
    public InetSocketAddress localAddress() throws IOException {
        return listener.localAddress();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
