package dev.fiberio.net;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.sync.FiberLock;
import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.net.spi.SocketHandle;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A listening TCP socket for fibers: {@link #accept()} suspends the calling fiber (parks a plain
 * thread) until a connection arrives. Behaves like {@link java.net.ServerSocket}: port 0 picks an
 * ephemeral port, a timeout throws {@link java.net.SocketTimeoutException} ("Accept timed out"),
 * {@link #close()} wakes every blocked acceptor with {@code SocketException("Socket closed")}, and
 * accept, bind and options on a closed server socket throw {@code SocketException("Socket is closed")}.
 *
 * <p><b>Cancellation.</b> {@link dev.fiberio.core.Fiber#cancel() Cancelling} a fiber blocked in
 * {@link #accept()} (or interrupting a blocked thread) does what {@code java.net} does for an
 * interrupted virtual thread: the server socket is closed and accept throws
 * {@code SocketException("Closed by interrupt")}, whose cause is the
 * {@link dev.fiberio.core.FiberCancelledException}; the fiber stays cancelled (the thread interrupted).
 *
 * <pre>{@code
 * try (FiberServerSocket server = FiberServerSocket.open().bind(new InetSocketAddress(8080), 128)) {
 *     for (;;) {
 *         FiberSocket client = server.accept();
 *         Fiber.spawn(() -> handle(client));
 *     }
 * }
 * }</pre>
 *
 * <p>Concurrent {@code accept} calls are served one after the other. An accepted socket uses the
 * I/O machinery of the acceptor's scheduler (the default scheduler when accepted on a plain thread).
 *
 * <h2>Implementation overview</h2>
 * {@code holder} owns the backend handle (created at {@link #bind}) and the closed flag;
 * {@code acceptLock} (a {@link FiberLock}, held across the wait) keeps the handle to one acceptor at a
 * time, as the SPI requires; {@code acceptTimeoutNanos} is volatile, written by anyone, read by accept.
 * An accept that finds a connection pending never suspends, so a fiber accepting a burst of
 * connections would keep its worker until the backlog is empty, and every connection's fiber (and
 * everything else on that worker) would wait: the C10K measurement saw an acceptor run 233 ms
 * without suspending. So an acceptor fiber {@linkplain Fiber#yield() yields} before every
 * accept that follows {@code ACCEPT_BURST} accepts ({@code acceptsSinceYield}, reset by the yield).
 */
public final class FiberServerSocket implements Closeable {
    /** The backlog used when {@link #bind(SocketAddress, int)} is given 0 or less, as in {@code java.net}. */
    public static final int DEFAULT_BACKLOG = 50;
    /**
     * Accepts in a row after which an accepting fiber yields once ({@code fiberio.net.acceptBurst},
     * default 16, as Netty's accepts per loop iteration).
     */
    static final int ACCEPT_BURST = Math.max(1, Integer.getInteger("fiberio.net.acceptBurst", 16));
    /** Options that may be set before bind (they are applied at bind). */
    static final Set<SocketOption<?>> EARLY_OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);

    private final NetProvider provider;
    private final HandleHolder<ServerSocketHandle> holder;
    private final FiberLock acceptLock = new FiberLock();
    private volatile long acceptTimeoutNanos;
    /** Accepts since this socket's acceptor last yielded; guarded by {@code acceptLock}. */
    private int acceptsSinceYield;

    private FiberServerSocket(NetProvider provider) {
        this.provider = provider;
        this.holder = new HandleHolder<>(provider::openServerSocket, EARLY_OPTIONS);
    }

    /**
     * An unbound server socket of the {@linkplain NetProviders#defaultProvider() default provider}.
     *
     * @return the new server socket
     * @throws NetProviderUnavailableException if no provider can be used
     */
    public static FiberServerSocket open() {
        return open(NetProviders.defaultProvider());
    }

    /**
     * An unbound server socket of {@code provider}; no system resource is taken until {@link #bind}.
     *
     * @param provider the backend
     * @return the new server socket
     */
    public static FiberServerSocket open(NetProvider provider) {
        return new FiberServerSocket(Objects.requireNonNull(provider, "provider"));
    }

    /**
     * The backend of this socket.
     *
     * @return the provider
     */
    public NetProvider provider() {
        return provider;
    }

    /**
     * Binds with the {@linkplain #DEFAULT_BACKLOG default backlog}; see {@link #bind(SocketAddress, int)}.
     *
     * @param local the address to listen on
     * @return this server socket
     * @throws IOException as there
     */
    public FiberServerSocket bind(SocketAddress local) throws IOException {
        return bind(local, DEFAULT_BACKLOG);
    }

    /**
     * Binds to {@code local} and starts listening. An unresolved address is resolved first.
     *
     * @param local   the address to listen on; port 0 picks an ephemeral port; {@code null} for an
     *                ephemeral port on the IPv4 wildcard address
     * @param backlog the accept queue length; 0 or less for {@link #DEFAULT_BACKLOG}
     * @return this server socket
     * @throws java.net.BindException   if the address is in use
     * @throws SocketException          if closed or already bound
     * @throws IllegalArgumentException if {@code local} is neither an {@link InetSocketAddress} nor a named
     *                                  {@link UnixDomainSocketAddress} (which creates the socket file; it
     *                                  stays after close, as with the JDK's {@code ServerSocketChannel}:
     *                                  delete it, or binding the path again fails with "Address already in use")
     */
    public FiberServerSocket bind(SocketAddress local, int backlog) throws IOException {
        if (local instanceof UnixDomainSocketAddress unix) {
            if (unix.getPath().toString().isEmpty()) {
                throw new IllegalArgumentException("a listening Unix domain socket needs a path; the empty path is the unnamed address");
            }
            bindHandle(holder.open(StandardProtocolFamily.UNIX), unix, backlog);
            return this;
        }
        InetSocketAddress target = local == null ? HostResolver.IPV4_WILDCARD : HostResolver.inet(local, "local address");
        InetAddress address = HostResolver.resolve(target).getFirst();
        bindHandle(holder.open(FiberSocket.familyOf(address)), new InetSocketAddress(address, target.getPort()), backlog);
        return this;
    }

    private void bindHandle(ServerSocketHandle h, SocketAddress local, int backlog) throws IOException {
        if (h.localAddress() != null) {
            throw new SocketException("Already bound");
        }
        try {
            h.bind(local, backlog < 1 ? DEFAULT_BACKLOG : backlog);
        } catch (IOException | RuntimeException e) {
            try {
                holder.discard(h); // back to unbound: a failed bind keeps no descriptor
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Accepts a connection, waiting at most the {@linkplain #setAcceptTimeout accept timeout}.
     *
     * @return the connected socket, owned by the caller
     * @throws java.net.SocketTimeoutException if the timeout passed ("Accept timed out")
     * @throws SocketException                 if not bound, closed ("Socket is closed"), closed while
     *                                         waiting ("Socket closed"), or the calling fiber was
     *                                         cancelled while waiting ("Closed by interrupt"; the server
     *                                         socket is then closed)
     */
    public FiberSocket accept() throws IOException {
        return accept(Timeouts.deadlineFor(acceptTimeoutNanos));
    }

    /**
     * Accepts a connection, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait (including for other acceptors ahead); zero for none
     * @return the connected socket, owned by the caller
     * @throws IOException as {@link #accept()}
     */
    public FiberSocket accept(Duration timeout) throws IOException {
        return accept(Timeouts.deadlineFor(timeout));
    }

    private FiberSocket accept(long deadline) throws IOException {
        ServerSocketHandle h = boundHandle();
        try {
            Timeouts.lock(acceptLock, deadline, SocketErrors::acceptTimedOut);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        }
        try {
            holder.ensureOpenForIo(); // closed while waiting for the lock: woken by close
            if (++acceptsSinceYield > ACCEPT_BURST && Fiber.current() != null) {
                acceptsSinceYield = 1;
                Fiber.yield(); // a burst of ready connections must not starve the fibers already running
                holder.ensureOpenForIo();
            }
            SocketHandle accepted = h.accept(deadline);
            return FiberSocket.accepted(provider, accepted, holder.family());
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            acceptLock.unlock();
        }
    }

    /**
     * Sets the longest time {@link #accept()} waits; zero (the default) for none.
     *
     * @param timeout the timeout, not negative
     * @return this server socket
     */
    public FiberServerSocket setAcceptTimeout(Duration timeout) {
        acceptTimeoutNanos = Timeouts.nanos(timeout);
        return this;
    }

    /**
     * The accept timeout.
     *
     * @return the timeout, {@link Duration#ZERO} for none
     */
    public Duration getAcceptTimeout() {
        return Duration.ofNanos(acceptTimeoutNanos);
    }

    /**
     * Sets a socket option such as {@link StandardSocketOptions#SO_REUSEADDR},
     * {@link StandardSocketOptions#SO_REUSEPORT} (where the system has it) or {@code SO_RCVBUF}; set
     * before {@link #bind}, they are applied at bind.
     *
     * @param option the option
     * @param value  its value
     * @param <T>    the value type
     * @return this server socket
     * @throws IOException                   if closed or refused by the system
     * @throws UnsupportedOperationException if not supported (now)
     */
    public <T> FiberServerSocket setOption(SocketOption<T> option, T value) throws IOException {
        holder.setOption(option, value);
        return this;
    }

    /**
     * Reads a socket option.
     *
     * @param option the option
     * @param <T>    the value type
     * @return its value
     * @throws IOException if closed, or before bind for an option that was not set
     */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return holder.getOption(option);
    }

    /**
     * The options this socket supports (before bind: those that may be set early).
     *
     * @return an unmodifiable set
     */
    public Set<SocketOption<?>> supportedOptions() {
        return holder.supportedOptions();
    }

    /**
     * The address listened on.
     *
     * @return the bound address (with the actual port), or {@code null} if not bound
     * @throws IOException if closed
     */
    public InetSocketAddress localAddress() throws IOException {
        return FiberSocket.inet(localSocketAddress());
    }

    /**
     * The local address of any family: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}.
     *
     * @return the bound address, or {@code null} if not bound
     * @throws IOException if closed
     */
    public SocketAddress localSocketAddress() throws IOException {
        holder.ensureOpen();
        ServerSocketHandle h = holder.current();
        return h == null ? null : h.localAddress();
    }

    /**
     * Whether the socket has not been closed.
     *
     * @return true until {@link #close()}
     */
    public boolean isOpen() {
        return !holder.isClosed();
    }

    /**
     * Closes the socket; every blocked acceptor wakes with {@code SocketException("Socket closed")}.
     * Sockets accepted earlier stay open. Idempotent.
     *
     * @throws IOException if the backend reported an error while releasing the socket
     */
    @Override
    public void close() throws IOException {
        holder.close();
    }

    @Override
    public String toString() {
        ServerSocketHandle h = holder.current();
        return "FiberServerSocket[" + provider.name() + (holder.isClosed() ? ", closed" : "") + (h == null ? "" : ", " + h) + "]";
    }

    private ServerSocketHandle boundHandle() throws IOException {
        holder.ensureOpen();
        ServerSocketHandle h = holder.current();
        if (h == null || h.localAddress() == null) {
            throw new SocketException("Socket is not bound yet");
        }
        return h;
    }
}
