package dev.fiberio.reliability;

import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Calls random methods of {@link FiberSocket} and {@link FiberServerSocket} with random, mostly
 * wrong, arguments on sockets in random states (unconnected, bound, connected to an echo server,
 * shut down, closed), shared by several fibers and threads. Every call that may wait is bounded by
 * a short timeout, so no call can hang when the code works.
 *
 * <p>Threads: {@link #call} may run in any number of fibers and threads at once; the socket tables
 * are atomic arrays, and a replaced socket is closed by whoever replaced it.
 */
final class ApiFuzzer {
    /** Every wait of a fuzzed call ends after this at the latest (a valid timeout is never longer). */
    private static final Duration SHORT = Duration.ofMillis(5);
    private static final List<SocketOption<?>> OPTIONS = List.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.IP_TOS, StandardSocketOptions.SO_BROADCAST);
    private static final Object[] OPTION_VALUES = {null, true, false, -1, 0, 1, 4096, Integer.MAX_VALUE, Integer.MIN_VALUE, "x"};

    private final InetSocketAddress echo;
    private final InetSocketAddress refused;
    private final Arena shared;
    private final MemorySegment dead;
    private final MemorySegment foreign;
    private final AtomicReferenceArray<FiberSocket> sockets = new AtomicReferenceArray<>(16);
    private final AtomicReferenceArray<FiberServerSocket> listeners = new AtomicReferenceArray<>(4);

    /**
     * @param echo    an echo server the fuzzed sockets may connect to
     * @param refused an address where nothing listens
     * @param shared  an open shared arena for native memory (owned by the caller)
     * @param foreign a segment of a confined arena owned by another thread
     */
    ApiFuzzer(InetSocketAddress echo, InetSocketAddress refused, Arena shared, MemorySegment foreign) {
        this.echo = echo;
        this.refused = refused;
        this.shared = shared;
        this.foreign = foreign;
        Arena closed = Arena.ofShared(); // owner: here; closed at once, to have a dead segment
        this.dead = closed.allocate(64);
        closed.close();
    }

    /**
     * One random call.
     *
     * @param r the random source of this caller
     * @return "operation outcome", the outcome being "ok" or the exception's class name
     */
    String call(SplittableRandom r) {
        int op = r.nextInt(24);
        try {
            perform(op, r);
            return op + " ok";
        } catch (Throwable t) {
            return op + " " + t.getClass().getName();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void perform(int op, SplittableRandom r) throws IOException {
        switch (op) {
            case 0 -> replaceSocket(r, FiberSocket.open().setReadTimeout(SHORT).setWriteTimeout(SHORT));
            case 1 -> socket(r).connect(address(r), connectTimeout(r));
            case 2 -> socket(r).bind(address(r));
            case 3 -> {
                byte[] b = array(r);
                socket(r).read(b, index(r, b), index(r, b));
            }
            case 4 -> socket(r).read(buffer(r));
            case 5 -> socket(r).read(segment(r));
            case 6 -> socket(r).readFully(segment(r));
            case 7 -> {
                byte[] b = array(r);
                socket(r).write(b, index(r, b), index(r, b));
            }
            case 8 -> socket(r).write(buffer(r));
            case 9 -> socket(r).write(segment(r));
            case 10 -> socket(r).getOutputStream().write(array(r));
            case 11 -> socket(r).getInputStream().read(array(r));
            case 12 -> {
                SocketOption o = OPTIONS.get(r.nextInt(OPTIONS.size()));
                socket(r).setOption(o, OPTION_VALUES[r.nextInt(OPTION_VALUES.length)]);
            }
            case 13 -> socket(r).getOption(OPTIONS.get(r.nextInt(OPTIONS.size())));
            case 14 -> {
                if (r.nextBoolean()) {
                    socket(r).setReadTimeout(timeout(r));
                } else {
                    socket(r).setWriteTimeout(timeout(r));
                }
            }
            case 15 -> {
                if (r.nextBoolean()) {
                    socket(r).shutdownInput();
                } else {
                    socket(r).shutdownOutput();
                }
            }
            case 16 -> socket(r).close();
            case 17 -> {
                FiberSocket s = socket(r);
                s.localAddress();
                s.remoteAddress();
                s.toString();
            }
            case 18 -> replaceListener(r, FiberServerSocket.open().setAcceptTimeout(SHORT));
            case 19 -> listener(r).bind(address(r), r.nextInt(3) - 1);
            case 20 -> {
                FiberSocket accepted = r.nextBoolean() ? listener(r).accept(timeout(r)) : listener(r).accept();
                replaceSocket(r, accepted.setReadTimeout(SHORT).setWriteTimeout(SHORT));
            }
            case 21 -> {
                SocketOption o = OPTIONS.get(r.nextInt(OPTIONS.size()));
                listener(r).setOption(o, OPTION_VALUES[r.nextInt(OPTION_VALUES.length)]);
            }
            case 22 -> listener(r).close();
            default -> listener(r).setAcceptTimeout(timeout(r));
        }
    }

    /** Closes every socket and listener the fuzzer still holds. */
    void closeAll() throws IOException {
        for (int i = 0; i < sockets.length(); i++) {
            FiberSocket s = sockets.getAndSet(i, null);
            if (s != null) {
                s.close();
            }
        }
        for (int i = 0; i < listeners.length(); i++) {
            FiberServerSocket l = listeners.getAndSet(i, null);
            if (l != null) {
                l.close();
            }
        }
    }

    /** The socket in a random slot, a new unbound one put there if it is empty (kept, so closed in the end). */
    private FiberSocket socket(SplittableRandom r) {
        int i = r.nextInt(sockets.length());
        for (;;) {
            FiberSocket s = sockets.get(i);
            if (s != null) {
                return s;
            }
            FiberSocket fresh = FiberSocket.open().setReadTimeout(SHORT).setWriteTimeout(SHORT);
            if (sockets.compareAndSet(i, null, fresh)) {
                return fresh;
            } // else dropped: it has no descriptor before bind or connect
        }
    }

    private void replaceSocket(SplittableRandom r, FiberSocket s) throws IOException {
        FiberSocket old = sockets.getAndSet(r.nextInt(sockets.length()), s);
        if (old != null) {
            old.close();
        }
    }

    /** The listener in a random slot, a new unbound one put there if it is empty. */
    private FiberServerSocket listener(SplittableRandom r) {
        int i = r.nextInt(listeners.length());
        for (;;) {
            FiberServerSocket l = listeners.get(i);
            if (l != null) {
                return l;
            }
            FiberServerSocket fresh = FiberServerSocket.open().setAcceptTimeout(SHORT);
            if (listeners.compareAndSet(i, null, fresh)) {
                return fresh;
            } // else dropped: it has no descriptor before bind
        }
    }

    private void replaceListener(SplittableRandom r, FiberServerSocket l) throws IOException {
        FiberServerSocket old = listeners.getAndSet(r.nextInt(listeners.length()), l);
        if (old != null) {
            old.close();
        }
    }

    private SocketAddress address(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> null;
            case 1 -> refused;
            case 2 -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            case 3 -> new InetSocketAddress(ipv6Loopback(), echo.getPort());
            case 4 -> InetSocketAddress.createUnresolved("localhost", echo.getPort());
            case 5 -> UnixDomainSocketAddress.of("/tmp/fiberio-fuzz");
            case 6 -> new InetSocketAddress(0);
            default -> echo;
        };
    }

    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Duration connectTimeout(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> Duration.ofMillis(-1);
            case 1 -> null;
            default -> Duration.ofMillis(1 + r.nextInt(50));
        };
    }

    /** A timeout that is invalid or, if valid, at most {@link #SHORT} (never zero, which means "none"). */
    private static Duration timeout(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> Duration.ofNanos(-1);
            case 1 -> null;
            default -> Duration.ofNanos(1 + r.nextLong(SHORT.toNanos()));
        };
    }

    private static byte[] array(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> null;
            case 1 -> new byte[0];
            default -> new byte[1 + r.nextInt(64 * 1024)];
        };
    }

    /** An index or length for {@code b}: in range, at the edges, or far out of it. */
    private static int index(SplittableRandom r, byte[] b) {
        int n = b == null ? 0 : b.length;
        return switch (r.nextInt(8)) {
            case 0 -> -1;
            case 1 -> n + 1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> n;
            default -> n == 0 ? 0 : r.nextInt(n);
        };
    }

    private ByteBuffer buffer(SplittableRandom r) {
        int size = r.nextInt(8192);
        return switch (r.nextInt(7)) {
            case 0 -> null;
            case 1 -> ByteBuffer.allocate(size).asReadOnlyBuffer();
            case 2 -> ByteBuffer.allocateDirect(size).asReadOnlyBuffer();
            case 3 -> dead.asByteBuffer();
            case 4 -> ByteBuffer.allocate(size).position(size);
            case 5 -> shared.allocate(size + 1).asByteBuffer().position(r.nextInt(size + 1));
            default -> ByteBuffer.allocate(size);
        };
    }

    private MemorySegment segment(SplittableRandom r) {
        int size = r.nextInt(8192);
        return switch (r.nextInt(8)) {
            case 0 -> null;
            case 1 -> dead;
            case 2 -> foreign;
            case 3 -> MemorySegment.ofArray(new byte[size]).asReadOnly();
            case 4 -> shared.allocate(size).asReadOnly();
            case 5 -> MemorySegment.ofArray(new byte[0]);
            case 6 -> shared.allocate(size + 1);
            default -> MemorySegment.ofArray(new byte[size]);
        };
    }
}
