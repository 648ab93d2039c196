package dev.fiberio.net.tls;

import dev.fiberio.core.sync.FiberLock;
import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link SSLEngine} over one {@link FiberSocket}: the handshake, unwrapping for a reader,
 * wrapping for a writer, close_notify, and the post-handshake messages of TLS 1.3 (key update, session
 * tickets).
 *
 * <h2>Locks (all {@link FiberLock}s: a holder may suspend in socket I/O)</h2>
 * <ul>
 *   <li>{@code readLock} guards {@code netIn}, {@code appIn} and the inbound flags; a reader holds it
 *       for its whole call, including the wait for the socket.</li>
 *   <li>{@code writeLock} guards {@code netOut}; a writer holds it for its whole call.</li>
 *   <li>{@code handshakeLock} serialises the initial handshake. The handshake holds all three, in the
 *       order handshake → read → write, the one order every path uses: a reader that must send
 *       (a key update answer, a close_notify reply) only tries {@code writeLock}, and a writer never
 *       takes {@code readLock}. Readers and writers check {@code handshaken} (volatile) before taking
 *       {@code handshakeLock}, so after the handshake they never touch it.</li>
 * </ul>
 * The engine itself is thread-safe (one wrap and one unwrap may run at once) and never suspends:
 * its calls hold the JDK's internal lock only for their duration.
 *
 * <h2>Buffers (per connection)</h2>
 * {@code netIn} (direct, write mode: received bytes not yet unwrapped start at index 0),
 * {@code appIn} (heap, read mode: decrypted bytes not yet returned) and {@code netOut} (direct, read
 * mode: wrapped bytes not yet sent, kept across a timed-out write). They are sized from the session's
 * packet and application buffer sizes and grow when the engine asks. A reader whose destination has
 * room for a whole record is given the plaintext directly, without passing through {@code appIn}; a
 * writer's source is wrapped directly from the caller's buffer.
 */
final class TlsEngineDriver {
    private static final Logger LOG = LoggerFactory.getLogger(TlsEngineDriver.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** TLS record content type of handshake messages (RFC 5246 §6.2.1). */
    private static final byte HANDSHAKE_RECORD = 22;
    /** How long {@link #close()} tries to send close_notify when the peer does not read. */
    private static final Duration CLOSE_NOTIFY_TIMEOUT = Duration.ofSeconds(1);
    /** The most {@link #abort} reads and drops from a peer that keeps sending after the alert. */
    private static final long LINGER_READ_LIMIT = 256 * 1024;

    private final FiberSocket socket;
    private final SSLEngine engine;
    private final FiberLock handshakeLock = new FiberLock();
    private final FiberLock readLock = new FiberLock();
    private final FiberLock writeLock = new FiberLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Guarded by readLock. */
    private ByteBuffer netIn;
    /** Guarded by readLock. */
    private ByteBuffer appIn;
    /** Guarded by readLock: the application data ended (close_notify, or end of stream tolerated). */
    private boolean inboundDone;
    /** Guarded by writeLock. */
    private ByteBuffer netOut;
    /** Guarded by handshakeLock: beginHandshake was called. */
    private boolean handshakeStarted;

    private volatile boolean handshaken;
    private volatile boolean tls13;
    private volatile int appBufferSize;
    private volatile boolean requireCloseNotify;

    TlsEngineDriver(FiberSocket socket, SSLEngine engine, boolean requireCloseNotify) {
        this.socket = socket;
        this.engine = engine;
        this.requireCloseNotify = requireCloseNotify;
        var session = engine.getSession();
        appBufferSize = session.getApplicationBufferSize();
        netIn = ByteBuffer.allocateDirect(session.getPacketBufferSize());
        appIn = ByteBuffer.allocate(appBufferSize).flip();
        netOut = ByteBuffer.allocateDirect(session.getPacketBufferSize()).flip();
    }

    SSLEngine engine() {
        return engine;
    }

    FiberSocket socket() {
        return socket;
    }

    boolean isHandshaken() {
        return handshaken;
    }

    boolean isClosed() {
        return closed.get();
    }

    void setRequireCloseNotify(boolean require) {
        requireCloseNotify = require;
    }

    boolean requiresCloseNotify() {
        return requireCloseNotify;
    }

    // ------------------------------------------------------------------------------------------
    // Handshake
    // ------------------------------------------------------------------------------------------

    /** Runs the initial handshake unless it is done; the whole of it must end by {@code deadline}. */
    void ensureHandshake(long deadline) throws IOException {
        if (handshaken) {
            return;
        }
        TlsDeadline.lock(handshakeLock, deadline, SocketErrors::readTimedOut);
        try {
            if (handshaken) {
                return;
            }
            TlsDeadline.lock(readLock, deadline, SocketErrors::readTimedOut);
            try {
                TlsDeadline.lock(writeLock, deadline, SocketErrors::readTimedOut);
                try {
                    ensureOpen();
                    handshake(deadline);
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } finally {
            handshakeLock.unlock();
        }
    }

    /**
     * After the initial handshake, {@link SSLEngine#beginHandshake()} again: in TLS 1.3 that sends a
     * key update; TLS 1.2 renegotiation is not supported.
     */
    void rehandshake(long deadline) throws IOException {
        if (!tls13) {
            throw new SSLException("TLS renegotiation is not supported (session protocol "
                    + engine.getSession().getProtocol() + ")");
        }
        TlsDeadline.lock(writeLock, deadline, SocketErrors::writeTimedOut);
        try {
            ensureOpen();
            engine.beginHandshake();
            HandshakeStatus hs = engine.getHandshakeStatus();
            while (hs == HandshakeStatus.NEED_WRAP) {
                hs = wrap(EMPTY, deadline).getHandshakeStatus();
            }
            flush(deadline);
        } catch (SSLException e) {
            throw abort(e);
        } finally {
            writeLock.unlock();
        }
    }

    /** The handshake loop; the caller holds all three locks. */
    private void handshake(long deadline) throws IOException {
        try {
            if (!handshakeStarted) {
                engine.beginHandshake();
                handshakeStarted = true;
            }
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> {
                        if (wrap(EMPTY, deadline).getStatus() == Status.CLOSED && !netOut.hasRemaining()) {
                            throw new SSLHandshakeException("The connection was closed during the handshake");
                        }
                        flush(deadline);
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapHandshake(deadline);
                    case NOT_HANDSHAKING, FINISHED -> {
                        flush(deadline);
                        if (engine.isOutboundDone() || engine.isInboundDone()) {
                            throw new SSLHandshakeException("The connection was closed during the handshake");
                        }
                        var session = engine.getSession();
                        tls13 = "TLSv1.3".equals(session.getProtocol());
                        appBufferSize = session.getApplicationBufferSize();
                        handshaken = true;
                        return;
                    }
                }
            }
        } catch (SSLException e) {
            throw abort(e);
        }
    }

    private void unwrapHandshake(long deadline) throws IOException {
        SSLEngineResult r = unwrap(appIn, true);
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                if (!fillNetIn(deadline)) {
                    throw new SSLHandshakeException("Remote host terminated the handshake");
                }
            }
            case BUFFER_OVERFLOW -> appIn = grown(appIn, engine.getSession().getApplicationBufferSize(), true);
            case CLOSED -> throw new SSLHandshakeException("The peer closed the connection during the handshake");
            case OK -> {
                // progress; the loop asks the engine what next
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Reading
    // ------------------------------------------------------------------------------------------

    /**
     * Reads application data into {@code dst} (which has room), waiting for at least one byte.
     *
     * @return the number of bytes, or -1 after the peer's close_notify (or a tolerated end of stream)
     */
    int read(ByteBuffer dst, long deadline) throws IOException {
        ensureHandshake(deadline);
        TlsDeadline.lock(readLock, deadline, SocketErrors::readTimedOut);
        try {
            ensureOpen();
            while (true) {
                if (appIn.hasRemaining()) {
                    return transfer(appIn, dst);
                }
                if (inboundDone) {
                    return -1;
                }
                int n = readRecord(dst, deadline);
                if (n != 0) {
                    return n;
                }
            }
        } catch (SSLException e) {
            throw abort(e);
        } catch (SocketException e) {
            throw closed.get() ? SocketErrors.socketClosed() : e;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Unwraps one record, into {@code dst} if it has room for a whole one, else into {@code appIn};
     * receives more first if no whole record is buffered.
     *
     * @return the bytes placed in {@code dst} directly, -1 at the end of input, 0 otherwise (data in
     *         {@code appIn}, a non-application record, or more bytes received)
     */
    private int readRecord(ByteBuffer dst, long deadline) throws IOException {
        if (!tls13 && netIn.position() > 0 && netIn.get(0) == HANDSHAKE_RECORD) {
            throw refuseRenegotiation();
        }
        boolean direct = dst.remaining() >= appBufferSize;
        SSLEngineResult r = unwrap(direct ? dst : appIn, !direct);
        switch (r.getStatus()) {
            case OK -> {
                afterUnwrap(r.getHandshakeStatus(), deadline);
                return direct ? r.bytesProduced() : 0;
            }
            case BUFFER_UNDERFLOW -> {
                return fillNetIn(deadline) ? 0 : endOfStream();
            }
            case BUFFER_OVERFLOW -> {
                int size = engine.getSession().getApplicationBufferSize();
                appBufferSize = Math.max(size, appBufferSize + 1); // the next try of this record goes to appIn
                if (!direct) {
                    appIn = grown(appIn, appBufferSize, true);
                }
                return 0;
            }
            case CLOSED -> {
                inboundDone = true;
                afterUnwrap(r.getHandshakeStatus(), deadline);
                return direct && r.bytesProduced() > 0 ? r.bytesProduced() : 0;
            }
            default -> throw new IllegalStateException("unexpected unwrap status " + r.getStatus());
        }
    }

    /**
     * Completes what a record asked for after the handshake: delegated tasks, and a message to send
     * (a TLS 1.3 key update answer, a close_notify reply). If a writer is busy, the message stays
     * queued in the engine, which sends it before the writer's next data (RFC 8446 §4.6.3 only asks
     * for it before our next application data).
     */
    private void afterUnwrap(HandshakeStatus hs, long deadline) throws IOException {
        while (hs == HandshakeStatus.NEED_TASK) {
            runTasks();
            hs = engine.getHandshakeStatus();
        }
        if (hs != HandshakeStatus.NEED_WRAP || !writeLock.tryLock()) {
            return;
        }
        try {
            while (hs == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = wrap(EMPTY, deadline);
                hs = r.getStatus() == Status.CLOSED ? HandshakeStatus.NOT_HANDSHAKING : r.getHandshakeStatus();
            }
            flush(deadline);
        } finally {
            writeLock.unlock();
        }
    }

    /** The socket's stream ended: after the handshake, -1 unless close_notify is required. */
    private int endOfStream() throws SSLException {
        inboundDone = true;
        if (requireCloseNotify) {
            throw new SSLProtocolException("Remote host terminated the connection");
        }
        return -1;
    }

    private SSLException refuseRenegotiation() {
        engine.closeOutbound(); // abort() sends the close_notify
        return new SSLException("The peer requested a TLS renegotiation, which is not supported; the connection was closed");
    }

    /** One engine unwrap from {@code netIn} into {@code dst}; {@code dst} is {@code appIn} when {@code intoAppIn}. */
    private SSLEngineResult unwrap(ByteBuffer dst, boolean intoAppIn) throws SSLException {
        netIn.flip();
        try {
            if (!intoAppIn) {
                return engine.unwrap(netIn, dst);
            }
            appIn.compact();
            try {
                return engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
        } finally {
            netIn.compact();
        }
    }

    /** Receives into {@code netIn}, growing it first if full; false at end of stream. */
    private boolean fillNetIn(long deadline) throws IOException {
        if (!netIn.hasRemaining()) {
            netIn = grown(netIn, Math.max(engine.getSession().getPacketBufferSize(), netIn.capacity() * 2), false);
        }
        socket.setReadTimeout(TlsDeadline.remaining(deadline, SocketErrors::readTimedOut));
        return socket.read(netIn) >= 0;
    }

    // ------------------------------------------------------------------------------------------
    // Writing
    // ------------------------------------------------------------------------------------------

    /** Encrypts and sends all of {@code src}; a timeout's bytesTransferred counts plaintext consumed. */
    void write(ByteBuffer src, long handshakeDeadline, long deadline) throws IOException {
        ensureHandshake(handshakeDeadline);
        TlsDeadline.lock(writeLock, deadline, SocketErrors::writeTimedOut);
        int start = src.position();
        try {
            ensureOpen();
            flush(deadline);
            HandshakeStatus hs = HandshakeStatus.NOT_HANDSHAKING;
            while (src.hasRemaining() || hs == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = wrap(src, deadline);
                flush(deadline);
                if (r.getStatus() == Status.CLOSED) {
                    throw new SocketException("Socket output is already shutdown");
                }
                hs = r.getHandshakeStatus();
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && hs != HandshakeStatus.NEED_TASK
                        && hs != HandshakeStatus.NEED_WRAP) {
                    // Only a handshake the peer drives could stall the engine here, and those are refused.
                    throw new SSLException("The engine cannot send application data now (handshake status " + hs + ")");
                }
                while (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    hs = engine.getHandshakeStatus();
                }
            }
        } catch (InterruptedIOException e) {
            e.bytesTransferred = src.position() - start;
            throw e;
        } catch (SSLException e) {
            throw abort(e);
        } catch (SocketException e) {
            throw closed.get() ? SocketErrors.socketClosed() : e;
        } finally {
            writeLock.unlock();
        }
    }

    /** One engine wrap into {@code netOut}, sending or growing it when full; the caller holds writeLock. */
    private SSLEngineResult wrap(ByteBuffer src, long deadline) throws IOException {
        while (true) {
            netOut.compact();
            SSLEngineResult r;
            try {
                r = engine.wrap(src, netOut);
            } finally {
                netOut.flip();
            }
            if (r.getStatus() != Status.BUFFER_OVERFLOW) {
                return r;
            }
            if (netOut.hasRemaining()) {
                flush(deadline);
            } else {
                netOut = grown(netOut, Math.max(engine.getSession().getPacketBufferSize(), netOut.capacity() * 2), true);
            }
        }
    }

    /** Sends what {@code netOut} holds; the caller holds writeLock. */
    private void flush(long deadline) throws IOException {
        if (netOut.hasRemaining()) {
            socket.setWriteTimeout(TlsDeadline.remaining(deadline, SocketErrors::writeTimedOut));
            socket.write(netOut);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Close and failure
    // ------------------------------------------------------------------------------------------

    /**
     * Closes: sends close_notify if the handshake is done and no writer is busy (a busy writer may be
     * in the middle of a record), then closes the socket, which wakes every blocked reader and writer.
     */
    void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (handshaken && writeLock.tryLock()) {
                try {
                    engine.closeOutbound();
                    long deadline = TlsDeadline.after(CLOSE_NOTIFY_TIMEOUT.toNanos());
                    wrap(EMPTY, deadline);
                    flush(deadline);
                } catch (IOException e) {
                    LOG.debug("close_notify not sent on {}: {}", socket, e.toString());
                } finally {
                    writeLock.unlock();
                }
            }
        } finally {
            socket.close();
        }
    }

    /**
     * After a TLS failure: sends the alert the engine prepared (if no other writer is busy) and closes
     * the connection; returns {@code e} to be thrown.
     *
     * <p>A failure during the handshake usually comes while the peer is still sending its flight
     * (a TLS 1.3 server writes its certificate and Finished in one go). Closing at once would leave
     * those bytes unread, and a close with unread data sends a reset (RFC 2525 §2.17), which can
     * reach the peer before it reads the alert: it would then see "connection reset" or "broken
     * pipe" instead of the reason. So, after the alert, the output is shut down and what the peer
     * still sends is read and dropped until it closes, for at most {@link #CLOSE_NOTIFY_TIMEOUT}.
     */
    private SSLException abort(SSLException e) {
        if (!closed.compareAndSet(false, true)) {
            return e;
        }
        try {
            if (writeLock.tryLock()) {
                long deadline = TlsDeadline.after(CLOSE_NOTIFY_TIMEOUT.toNanos());
                boolean alertSent = false;
                try {
                    wrap(EMPTY, deadline);
                    flush(deadline);
                    alertSent = !netOut.hasRemaining();
                } catch (IOException | RuntimeException alertFailure) {
                    LOG.debug("alert not sent on {}: {}", socket, alertFailure.toString());
                } finally {
                    writeLock.unlock();
                }
                if (alertSent && !handshaken) {
                    lingerUntilPeerCloses(deadline);
                }
            }
        } finally {
            try {
                socket.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
        }
        return e;
    }

    /** Half-closes, then reads and drops until end of stream, an error or the deadline. */
    private void lingerUntilPeerCloses(long deadline) {
        if (!readLock.tryLock()) {
            return; // a reader is busy with the socket; it will see the close
        }
        try {
            socket.shutdownOutput();
            long budget = LINGER_READ_LIMIT;
            while (budget > 0) {
                netIn.clear();
                int n = fillNetIn(deadline) ? netIn.position() : -1;
                if (n < 0) {
                    return;
                }
                budget -= n;
            }
        } catch (IOException | RuntimeException lingerEnded) {
            LOG.debug("linger after alert ended on {}: {}", socket, lingerEnded.toString());
        } finally {
            netIn.clear();
            readLock.unlock();
        }
    }

    void ensureOpen() throws SocketException {
        if (closed.get()) {
            throw SocketErrors.socketClosed();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** Runs the engine's delegated tasks (certificate checks, key exchange) on the calling fiber. */
    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    private static int transfer(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        if (n == from.remaining()) {
            to.put(from);
        } else {
            to.put(to.position(), from, from.position(), n).position(to.position() + n);
            from.position(from.position() + n);
        }
        return n;
    }

    /**
     * A larger copy of {@code b} of at least {@code size} bytes, in the same mode: {@code readMode}
     * buffers hold data in [position, limit), the others in [0, position).
     */
    private static ByteBuffer grown(ByteBuffer b, int size, boolean readMode) {
        int capacity = Math.max(size, b.capacity());
        if (capacity == b.capacity()) {
            capacity = b.capacity() * 2;
        }
        ByteBuffer bigger = b.isDirect() ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        if (readMode) {
            bigger.put(b).flip();
        } else {
            bigger.put(b.flip());
        }
        return bigger;
    }
}
