package dev.fiberio.net.tls;

import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * TLS over a connected {@link FiberSocket}, on the JDK's {@link SSLEngine}, with the socket's
 * blocking-looking API: in a fiber every wait (handshake, read, write) suspends the fiber; on a plain
 * thread it parks the thread.
 *
 * <pre>{@code
 * FiberSocket tcp = FiberSocket.open();
 * tcp.connect(new InetSocketAddress("example.com", 443));
 * try (FiberTlsSocket tls = FiberTlsSocket.client(tcp, SSLContext.getDefault(), "example.com", 443)) {
 *     tls.write("GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
 *     byte[] buf = new byte[8192];
 *     int n = tls.read(buf, 0, buf.length);
 * }
 * }</pre>
 *
 * <p><b>Handshake.</b> {@link #startHandshake()} runs it explicitly; otherwise the first read or write
 * does. Either way the handshake as a whole is bounded by the {@linkplain #setReadTimeout read
 * timeout} ({@link java.net.SocketTimeoutException}), as {@code SSLSocket} bounds its handshake with its
 * {@code soTimeout}; a handshake that timed out may be continued by calling again. A failed handshake
 * throws {@link javax.net.ssl.SSLHandshakeException} and closes the connection. Calling
 * {@link #startHandshake()} again after the handshake sends a key update in TLS 1.3; TLS 1.2
 * renegotiation is refused both ways: asked for here it throws {@link javax.net.ssl.SSLException}, and
 * a peer's renegotiation request closes the connection with close_notify and makes the read throw
 * {@code SSLException}. A peer's TLS 1.3 key update is answered.
 *
 * <p><b>Closing.</b> {@link #close()} sends close_notify (unless a writer is in the middle of a call,
 * or the peer does not take it within a second) and closes the socket, waking every blocked caller with
 * {@code SocketException("Socket closed")}. After the peer's close_notify, {@code read} returns -1. If
 * the connection ends without close_notify after the handshake, {@code read} returns -1 as well, as
 * {@code SSLSocket} does by default; with {@link #setRequireCloseNotify(boolean) setRequireCloseNotify(true)}
 * (default: the JDK's {@code com.sun.net.ssl.requireCloseNotify} property) it throws
 * {@link javax.net.ssl.SSLProtocolException} instead, which detects truncation attacks.
 *
 * <p><b>Concurrency.</b> One reader and one writer may use the socket at the same time; concurrent
 * readers (and concurrent writers) are served one after the other. {@link #close()} may be called at
 * any time from anywhere.
 *
 * <p><b>Errors.</b> A TLS failure ({@link javax.net.ssl.SSLException}) closes the connection after
 * sending the engine's alert; later calls throw {@code SocketException("Socket closed")}.
 *
 * <p>The underlying socket ({@link #socket()}) must not be read or written directly once wrapped; its
 * options and addresses may be used. Its read and write timeouts are managed by this class.
 */
public final class FiberTlsSocket implements ByteChannel {
    private final TlsEngineDriver driver;
    private final InputStream in = new TlsInputStream(this);
    private final OutputStream out = new TlsOutputStream(this);
    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos;

    private FiberTlsSocket(FiberSocket socket, SSLEngine engine) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(engine, "engine");
        if (!socket.isConnected()) {
            throw new IllegalArgumentException("the socket is not connected: " + socket);
        }
        driver = new TlsEngineDriver(socket, engine, Boolean.getBoolean("com.sun.net.ssl.requireCloseNotify"));
    }

    /**
     * The client side of a TLS connection over {@code socket}, for the peer the socket is connected to
     * (its address serves for session resumption; an IP address is sent no SNI).
     *
     * @param socket  a connected socket
     * @param context the TLS context (trust, keys)
     * @return the TLS socket; the handshake has not started
     * @throws IOException if the socket is closed
     */
    public static FiberTlsSocket client(FiberSocket socket, SSLContext context) throws IOException {
        InetSocketAddress peer = socket.remoteAddress();
        if (peer == null) {
            throw new IllegalArgumentException("the socket is not connected: " + socket);
        }
        return client(socket, context, peer.getHostString(), peer.getPort(), null);
    }

    /**
     * The client side of a TLS connection over {@code socket} to {@code peerHost}, which the JDK sends
     * as SNI (if it is a host name) and uses with {@code peerPort} to find a session to resume.
     *
     * @param socket   a connected socket
     * @param context  the TLS context
     * @param peerHost the server's host name
     * @param peerPort the server's port
     * @return the TLS socket; the handshake has not started
     */
    public static FiberTlsSocket client(FiberSocket socket, SSLContext context, String peerHost, int peerPort) {
        return client(socket, context, peerHost, peerPort, null);
    }

    /**
     * As {@link #client(FiberSocket, SSLContext, String, int)}, with {@code parameters} (protocols,
     * cipher suites, ALPN, SNI, endpoint identification...) applied to the engine.
     *
     * @param socket     a connected socket
     * @param context    the TLS context
     * @param peerHost   the server's host name
     * @param peerPort   the server's port
     * @param parameters the parameters, or null for the context's defaults
     * @return the TLS socket; the handshake has not started
     */
    public static FiberTlsSocket client(FiberSocket socket, SSLContext context, String peerHost, int peerPort,
            SSLParameters parameters) {
        SSLEngine engine = Objects.requireNonNull(context, "context").createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        if (parameters != null) {
            engine.setSSLParameters(parameters);
        }
        return new FiberTlsSocket(socket, engine);
    }

    /**
     * The server side of a TLS connection over an accepted socket.
     *
     * @param socket  a connected (accepted) socket
     * @param context the TLS context (the server's keys)
     * @return the TLS socket; the handshake has not started
     */
    public static FiberTlsSocket server(FiberSocket socket, SSLContext context) {
        return server(socket, context, null);
    }

    /**
     * As {@link #server(FiberSocket, SSLContext)}, with {@code parameters} (client authentication,
     * ALPN, SNI matchers, protocols...) applied to the engine.
     *
     * @param socket     a connected (accepted) socket
     * @param context    the TLS context
     * @param parameters the parameters, or null for the context's defaults
     * @return the TLS socket; the handshake has not started
     */
    public static FiberTlsSocket server(FiberSocket socket, SSLContext context, SSLParameters parameters) {
        SSLEngine engine = Objects.requireNonNull(context, "context").createSSLEngine();
        engine.setUseClientMode(false);
        if (parameters != null) {
            engine.setSSLParameters(parameters);
        }
        return new FiberTlsSocket(socket, engine);
    }

    /**
     * TLS over {@code socket} with an engine the caller created and configured (client or server
     * mode, parameters, an ALPN selector...). The engine must be new and used by nothing else.
     *
     * @param socket a connected socket
     * @param engine the engine
     * @return the TLS socket; the handshake has not started
     */
    public static FiberTlsSocket of(FiberSocket socket, SSLEngine engine) {
        return new FiberTlsSocket(socket, engine);
    }

    // ------------------------------------------------------------------------------------------
    // Handshake and session
    // ------------------------------------------------------------------------------------------

    /**
     * Runs the handshake now if it has not run; after it, asks for a TLS 1.3 key update.
     *
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails (the connection is closed)
     * @throws javax.net.ssl.SSLException          after the handshake, on a TLS 1.2 session (renegotiation
     *                                             is not supported)
     * @throws java.net.SocketTimeoutException     if the read timeout passes first
     * @throws IOException                         "Socket closed" and the socket's other errors
     */
    public void startHandshake() throws IOException {
        long deadline = TlsDeadline.after(readTimeoutNanos);
        if (driver.isHandshaken()) {
            driver.rehandshake(deadline);
        } else {
            driver.ensureHandshake(deadline);
        }
    }

    /**
     * The session: after the handshake, the negotiated one; before it, the engine's placeholder
     * (cipher suite {@code SSL_NULL_WITH_NULL_NULL}). Unlike {@code SSLSocket.getSession()} this does
     * not start the handshake.
     *
     * @return the session
     */
    public SSLSession getSession() {
        return driver.engine().getSession();
    }

    /**
     * The application protocol ALPN selected.
     *
     * @return the protocol, "" if none was negotiated, or null before the handshake
     */
    public String getApplicationProtocol() {
        return driver.isHandshaken() ? driver.engine().getApplicationProtocol() : null;
    }

    /**
     * A copy of the engine's parameters.
     *
     * @return the parameters
     */
    public SSLParameters getSSLParameters() {
        return driver.engine().getSSLParameters();
    }

    /**
     * Whether this is the client side.
     *
     * @return true in client mode
     */
    public boolean isClientMode() {
        return driver.engine().getUseClientMode();
    }

    // ------------------------------------------------------------------------------------------
    // Reading and writing
    // ------------------------------------------------------------------------------------------

    /**
     * Reads up to {@code len} bytes of application data, waiting until at least one arrives (after
     * the handshake, if it has not run).
     *
     * @param b   the destination
     * @param off where to start in {@code b}
     * @param len how many bytes at most
     * @return the number of bytes, 0 if {@code len} is 0, or -1 after the peer's close_notify
     * @throws IOException               as described in the class comment
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Reads application data into {@code dst} from its position, waiting until at least one byte
     * arrives, and advances its position. A destination with room for a whole record (see
     * {@link SSLSession#getApplicationBufferSize()}) receives the plaintext without an intermediate copy.
     *
     * @param dst the destination, heap or direct
     * @return the number of bytes, 0 if {@code dst} has no room, or -1 after the peer's close_notify
     * @throws IOException as {@link #read(byte[], int, int)}
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        driver.ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        return driver.read(dst, TlsDeadline.after(readTimeoutNanos));
    }

    /**
     * Writes all of {@code b}.
     *
     * @param b the bytes
     * @throws IOException as {@link #write(ByteBuffer)}
     */
    public void write(byte[] b) throws IOException {
        write(b, 0, Objects.requireNonNull(b, "b").length);
    }

    /**
     * Writes {@code len} bytes of {@code b} from {@code off}.
     *
     * @param b   the bytes
     * @param off where they start
     * @param len how many
     * @throws IOException               as {@link #write(ByteBuffer)}
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        write(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Encrypts and sends everything from {@code src}'s position to its limit (after the handshake, if
     * it has not run), and advances its position.
     *
     * @param src the bytes, heap or direct
     * @return the number of bytes written: all that remained
     * @throws IOException "Socket closed", "Write timed out" (the position shows how much plaintext the
     *                     engine took), "Socket output is already shutdown" after close_notify was sent
     *                     or answered, and the socket's errors
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        driver.ensureOpen();
        int n = src.remaining();
        if (n == 0) {
            return 0;
        }
        driver.write(src, TlsDeadline.after(readTimeoutNanos), TlsDeadline.after(writeTimeoutNanos));
        return n;
    }

    /**
     * A stream reading from this socket (the same one on every call); closing it closes the socket.
     *
     * @return the input stream
     */
    public InputStream getInputStream() {
        return in;
    }

    /**
     * A stream writing to this socket (the same one on every call); every write is sent at once, so
     * {@code flush()} does nothing; closing it closes the socket.
     *
     * @return the output stream
     */
    public OutputStream getOutputStream() {
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // Close, timeouts, state
    // ------------------------------------------------------------------------------------------

    /**
     * Sends close_notify (see the class comment) and closes the socket. Idempotent.
     *
     * @throws IOException if the socket reported an error while closing (it is closed anyway)
     */
    @Override
    public void close() throws IOException {
        driver.close();
    }

    /**
     * Whether {@link #close()} has not been called and no TLS failure closed the connection.
     *
     * @return true while open
     */
    @Override
    public boolean isOpen() {
        return !driver.isClosed();
    }

    /**
     * Sets the longest time a read call may take, and the longest time for the handshake; zero (the
     * default) for none.
     *
     * @param timeout the timeout, not negative
     * @return this socket
     */
    public FiberTlsSocket setReadTimeout(Duration timeout) {
        readTimeoutNanos = TlsDeadline.nanos(timeout);
        return this;
    }

    /**
     * The read (and handshake) timeout.
     *
     * @return the timeout, zero for none
     */
    public Duration getReadTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    /**
     * Sets the longest time a write call may take; zero (the default) for none.
     *
     * @param timeout the timeout, not negative
     * @return this socket
     */
    public FiberTlsSocket setWriteTimeout(Duration timeout) {
        writeTimeoutNanos = TlsDeadline.nanos(timeout);
        return this;
    }

    /**
     * The write timeout.
     *
     * @return the timeout, zero for none
     */
    public Duration getWriteTimeout() {
        return Duration.ofNanos(writeTimeoutNanos);
    }

    /**
     * Whether an end of stream without the peer's close_notify (after the handshake) throws
     * {@link javax.net.ssl.SSLProtocolException} instead of reading as -1.
     *
     * @param require true to require close_notify
     * @return this socket
     */
    public FiberTlsSocket setRequireCloseNotify(boolean require) {
        driver.setRequireCloseNotify(require);
        return this;
    }

    /**
     * See {@link #setRequireCloseNotify(boolean)}.
     *
     * @return true if close_notify is required
     */
    public boolean getRequireCloseNotify() {
        return driver.requiresCloseNotify();
    }

    /**
     * The underlying TCP socket, for its options and addresses; do not read or write it.
     *
     * @return the socket
     */
    public FiberSocket socket() {
        return driver.socket();
    }

    /**
     * The local address.
     *
     * @return the address
     * @throws SocketException if closed
     */
    public InetSocketAddress localAddress() throws IOException {
        driver.ensureOpen();
        return driver.socket().localAddress();
    }

    /**
     * The peer's address.
     *
     * @return the address
     * @throws SocketException if closed
     */
    public InetSocketAddress remoteAddress() throws IOException {
        driver.ensureOpen();
        return driver.socket().remoteAddress();
    }

    @Override
    public String toString() {
        return "FiberTlsSocket[" + (isClientMode() ? "client" : "server") + ", "
                + (driver.isClosed() ? "closed" : driver.isHandshaken() ? getSession().getProtocol() : "not handshaken")
                + ", " + driver.socket() + "]";
    }
}
