package dev.fiberio.net.compat;

import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Set;

/**
 * A client {@link SocketImpl} over a {@link FiberSocket}: what {@link java.net.Socket} calls (connect,
 * streams, options, shutdown, close) goes to the fiber socket, so a blocking call suspends the calling
 * fiber. {@code SO_TIMEOUT} is the fiber socket's read timeout. Listening and accepting are refused:
 * this backs client sockets only.
 */
final class FiberSocketImpl extends SocketImpl {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.IP_TOS);

    private final FiberSocket socket;

    FiberSocketImpl(FiberSocket socket) {
        this.socket = socket;
    }

    FiberSocket fiberSocket() {
        return socket;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("FiberSocketImpl supports stream (TCP) sockets only");
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress address, int timeoutMillis) throws IOException {
        socket.connect(address, Duration.ofMillis(timeoutMillis));
        InetSocketAddress remote = socket.remoteAddress();
        this.address = remote.getAddress();
        this.port = remote.getPort();
        this.localport = socket.localAddress().getPort();
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        socket.bind(new InetSocketAddress(host, port));
        this.localport = socket.localAddress().getPort();
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("a fiber-backed java.net.Socket is a client socket; use FiberServerSocket to listen");
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw new SocketException("a fiber-backed java.net.Socket is a client socket; use FiberServerSocket to accept");
    }

    @Override
    protected InputStream getInputStream() {
        return socket.getInputStream();
    }

    @Override
    protected OutputStream getOutputStream() {
        return socket.getOutputStream();
    }

    /**
     * 0 while open: the backends do not report how many bytes are queued, and 0 is a valid estimate
     * ({@link InputStream#available()}); a caller must not take it for end of stream.
     */
    @Override
    protected int available() throws IOException {
        if (!socket.isOpen()) {
            throw new SocketException("Socket closed");
        }
        return 0;
    }

    @Override
    protected void close() throws IOException {
        socket.close();
    }

    @Override
    protected void shutdownInput() throws IOException {
        socket.shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data not supported");
    }

    // ---------------------------------------------------------------------------------------------
    // Options: the typed API (Socket.setOption/getOption) and the legacy integer ids (setSoTimeout,
    // setTcpNoDelay, ...), both mapped onto the fiber socket.
    // ---------------------------------------------------------------------------------------------

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        socket.setOption(name, value);
    }

    @Override
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return socket.getOption(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        try {
            switch (optID) {
                case SocketOptions.SO_TIMEOUT -> {
                    int millis = (Integer) value;
                    if (millis < 0) {
                        throw new IllegalArgumentException("timeout < 0");
                    }
                    socket.setReadTimeout(Duration.ofMillis(millis));
                }
                case SocketOptions.TCP_NODELAY -> socket.setOption(StandardSocketOptions.TCP_NODELAY, (Boolean) value);
                case SocketOptions.SO_KEEPALIVE -> socket.setOption(StandardSocketOptions.SO_KEEPALIVE, (Boolean) value);
                case SocketOptions.SO_REUSEADDR -> socket.setOption(StandardSocketOptions.SO_REUSEADDR, (Boolean) value);
                case SocketOptions.SO_RCVBUF -> socket.setOption(StandardSocketOptions.SO_RCVBUF, (Integer) value);
                case SocketOptions.SO_SNDBUF -> socket.setOption(StandardSocketOptions.SO_SNDBUF, (Integer) value);
                case SocketOptions.IP_TOS -> socket.setOption(StandardSocketOptions.IP_TOS, (Integer) value);
                // java.net.Socket passes Boolean.FALSE to turn lingering off, an Integer of seconds to turn it on
                case SocketOptions.SO_LINGER -> socket.setOption(StandardSocketOptions.SO_LINGER,
                        value instanceof Integer seconds ? seconds : -1);
                case SocketOptions.SO_OOBINLINE -> {
                    if (Boolean.TRUE.equals(value)) {
                        throw new SocketException("SO_OOBINLINE not supported");
                    }
                }
                default -> throw new SocketException("Unsupported option: " + optID);
            }
        } catch (SocketException e) {
            throw e;
        } catch (UnsupportedOperationException e) {
            throw new SocketException(e.getMessage());
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        try {
            return switch (optID) {
                case SocketOptions.SO_TIMEOUT -> (int) Math.min(Integer.MAX_VALUE, socket.getReadTimeout().toMillis());
                case SocketOptions.TCP_NODELAY -> socket.getOption(StandardSocketOptions.TCP_NODELAY);
                case SocketOptions.SO_KEEPALIVE -> socket.getOption(StandardSocketOptions.SO_KEEPALIVE);
                case SocketOptions.SO_REUSEADDR -> socket.getOption(StandardSocketOptions.SO_REUSEADDR);
                case SocketOptions.SO_RCVBUF -> socket.getOption(StandardSocketOptions.SO_RCVBUF);
                case SocketOptions.SO_SNDBUF -> socket.getOption(StandardSocketOptions.SO_SNDBUF);
                case SocketOptions.IP_TOS -> socket.getOption(StandardSocketOptions.IP_TOS);
                case SocketOptions.SO_LINGER -> {
                    int seconds = socket.getOption(StandardSocketOptions.SO_LINGER);
                    yield seconds < 0 ? Boolean.FALSE : (Object) seconds;
                }
                case SocketOptions.SO_OOBINLINE -> Boolean.FALSE;
                case SocketOptions.SO_BINDADDR -> {
                    InetSocketAddress local = socket.localAddress();
                    yield local == null ? null : local.getAddress();
                }
                default -> throw new SocketException("Unsupported option: " + optID);
            };
        } catch (SocketException e) {
            throw e;
        } catch (UnsupportedOperationException e) {
            throw new SocketException(e.getMessage());
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }
}
