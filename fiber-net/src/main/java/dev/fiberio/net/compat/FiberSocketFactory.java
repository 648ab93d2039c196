package dev.fiberio.net.compat;

import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.NetProviders;
import dev.fiberio.net.spi.NetProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose sockets are {@link java.net.Socket}s backed by a {@link FiberSocket}:
 * give it to a blocking client library (JDBC driver, Redis, FTP, SMTP or HTTP client) and the
 * library's socket calls, made in a fiber, suspend the fiber instead of blocking its worker thread.
 * On a plain thread they park the thread, as {@link FiberSocket} does.
 *
 * <pre>{@code
 * FTPClient ftp = new FTPClient();
 * ftp.setSocketFactory(new FiberSocketFactory());
 * scheduler.spawn(() -> { ftp.connect("ftp.example.com"); ... });
 * }</pre>
 *
 * <p>The sockets behave as {@code java.net.Socket} specifies for what clients use: connect (with a
 * timeout), bind before connect, input and output streams, {@code setSoTimeout} (a read that waits
 * longer throws {@link java.net.SocketTimeoutException} and leaves the socket usable), the common
 * options ({@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_RCVBUF}, {@code SO_SNDBUF},
 * {@code SO_LINGER}, {@code SO_REUSEADDR}, {@code IP_TOS}), {@code shutdownInput}/{@code shutdownOutput},
 * and {@code close}, which wakes a read or write blocked in another fiber or thread with
 * {@link java.net.SocketException}. Differences: {@code InputStream.available()} returns 0 while the
 * socket is open; urgent data and {@code SO_OOBINLINE} are not supported; cancelling the fiber (or
 * interrupting the thread) blocked in a call makes it throw
 * {@link dev.fiberio.core.FiberCancelledException} and leaves the socket open.
 *
 * <p>Do not call these sockets inside {@code synchronized} blocks in fiber code (a suspension there
 * pins the worker); many older clients synchronize around their I/O and are then better run through
 * {@link dev.fiberio.core.Fiber#blocking}.
 */
public class FiberSocketFactory extends SocketFactory {
    private final NetProvider provider;

    /** A factory whose sockets use the {@linkplain NetProviders#defaultProvider() default provider}. */
    public FiberSocketFactory() {
        this(NetProviders.defaultProvider());
    }

    /**
     * A factory whose sockets use {@code provider}.
     *
     * @param provider the socket backend
     */
    public FiberSocketFactory(NetProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /**
     * An unconnected socket; {@link Socket#connect(SocketAddress, int)} connects it.
     *
     * @return the socket
     * @throws IOException if the socket cannot be created
     */
    @Override
    public Socket createSocket() throws IOException {
        return FiberBackedSocket.over(FiberSocket.open(provider));
    }

    /**
     * A socket connected to {@code host:port}.
     *
     * @param host the host name, or {@code null} for the loopback address
     * @param port the port
     * @return the connected socket
     * @throws java.net.UnknownHostException if the host cannot be resolved
     * @throws IOException                   if the connection fails
     */
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(remote(host, port), null);
    }

    /**
     * A socket bound to {@code localHost:localPort} and connected to {@code host:port}.
     *
     * @param host      the host name, or {@code null} for the loopback address
     * @param port      the port
     * @param localHost the local address, or {@code null} for any
     * @param localPort the local port, or 0 for any
     * @return the connected socket
     * @throws java.net.UnknownHostException if the host cannot be resolved
     * @throws IOException                   if binding or connecting fails
     */
    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(remote(host, port), new InetSocketAddress(localHost, localPort));
    }

    /**
     * A socket connected to {@code host:port}.
     *
     * @param host the address
     * @param port the port
     * @return the connected socket
     * @throws IOException if the connection fails
     */
    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    /**
     * A socket bound to {@code localAddress:localPort} and connected to {@code address:port}.
     *
     * @param address      the address
     * @param port         the port
     * @param localAddress the local address, or {@code null} for any
     * @param localPort    the local port, or 0 for any
     * @return the connected socket
     * @throws IOException if binding or connecting fails
     */
    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    /** Left unresolved: the fiber socket resolves it at connect, off the worker when in a fiber. */
    private static InetSocketAddress remote(String host, int port) {
        return host == null ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
                : InetSocketAddress.createUnresolved(host, port);
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = createSocket();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
