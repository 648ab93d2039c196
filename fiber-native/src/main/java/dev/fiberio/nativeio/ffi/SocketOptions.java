package dev.fiberio.nativeio.ffi;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_IP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_IPV6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_TCP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_MULTICAST_HOPS;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_MULTICAST_LOOP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_TCLASS;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_MULTICAST_LOOP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_MULTICAST_TTL;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_TOS;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_BROADCAST;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_KEEPALIVE;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_LINGER;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_RCVBUF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEADDR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEPORT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_SNDBUF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.TCP_NODELAY;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.nativeio.NativeFd;
import dev.fiberio.nativeio.OptionValues;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The standard socket options on Linux, for every socket of the Linux backends (epoll, io_uring): each
 * option's level and name, and {@code setsockopt}/{@code getsockopt} on a socket's {@link NativeFd}.
 * Stream sockets use {@link #setStream}/{@link #getStream} whole; {@link DatagramSupport} adds the
 * options only UDP has. What a value means on the Java side is {@link OptionValues}'s.
 *
 * <p>Every call is a short system call (it never waits); {@code closed} is the socket's "Socket closed"
 * exception, thrown when the descriptor is closed.
 */
public final class SocketOptions {
    /** The options of a TCP socket. */
    public static final Set<SocketOption<?>> TCP = Set.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);
    /** The options of an {@code AF_UNIX} stream socket (TCP's and SO_REUSEADDR/PORT do not apply), as the JDK's. */
    public static final Set<SocketOption<?>> UNIX = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER);
    /** A {@code struct linger} per carrier, for setsockopt/getsockopt (no suspension). */
    private static final CarrierLocal<MemorySegment> LINGER_SCRATCH = new CarrierLocal<>(() -> Linger.allocate(Arena.ofAuto()));

    private SocketOptions() {
    }

    /**
     * The options of a stream socket.
     *
     * @param family its family
     * @return {@link #UNIX} for {@code AF_UNIX}, else {@link #TCP}
     */
    public static Set<SocketOption<?>> ofStream(int family) {
        return family == AF_UNIX ? UNIX : TCP;
    }

    /**
     * Sets an option of a stream socket ({@link #ofStream}).
     *
     * @param fd     the socket
     * @param family its family
     * @param closed the exception for a closed socket
     * @param option the option
     * @param value  its value
     * @param <T>    its type
     * @throws IOException if closed, or the system refuses
     */
    public static <T> void setStream(NativeFd fd, int family, Supplier<? extends SocketException> closed,
                                     SocketOption<T> option, T value) throws IOException {
        OptionValues.requireSettable(ofStream(family), option, value);
        if (option == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            MemorySegment linger = LINGER_SCRATCH.get();
            Linger.set(linger, OptionValues.lingerOn(seconds), OptionValues.lingerSeconds(seconds));
            check("setsockopt(SO_LINGER)", call(fd, closed, () -> LibC.setsockopt(fd.fd, SOL_SOCKET, SO_LINGER, linger)));
            return;
        }
        setInt(fd, closed, option, family, OptionValues.toInt(option, value));
    }

    /**
     * Reads an option of a stream socket ({@link #ofStream}).
     *
     * @param fd     the socket
     * @param family its family
     * @param closed the exception for a closed socket
     * @param option the option
     * @param <T>    its type
     * @return its value
     * @throws IOException if closed, or the system refuses
     */
    public static <T> T getStream(NativeFd fd, int family, Supplier<? extends SocketException> closed,
                                  SocketOption<T> option) throws IOException {
        OptionValues.requireSupported(ofStream(family), option);
        if (option == StandardSocketOptions.SO_LINGER) {
            MemorySegment linger = LINGER_SCRATCH.get();
            check("getsockopt(SO_LINGER)", call(fd, closed, () -> LibC.getsockopt(fd.fd, SOL_SOCKET, SO_LINGER, linger)));
            return option.type().cast(OptionValues.lingerValue(Linger.enabled(linger), Linger.seconds(linger)));
        }
        return getInt(fd, closed, option, family);
    }

    /**
     * Sets a boolean or integer option with the level and name it has for {@code family}.
     *
     * @throws IOException if closed, or the system refuses
     */
    static void setInt(NativeFd fd, Supplier<? extends SocketException> closed, SocketOption<?> option, int family,
                       int value) throws IOException {
        int[] ln = levelAndName(option, family);
        check("setsockopt(" + option + ")", call(fd, closed, () -> LibC.setsockoptInt(fd.fd, ln[0], ln[1], value)));
    }

    /**
     * Reads a boolean or integer option with the level and name it has for {@code family}.
     *
     * @throws IOException if closed, or the system refuses
     */
    static <T> T getInt(NativeFd fd, Supplier<? extends SocketException> closed, SocketOption<T> option, int family)
            throws IOException {
        int[] ln = levelAndName(option, family);
        if (!fd.acquire()) {
            throw closed.get();
        }
        long r;
        try {
            r = LibC.getsockoptInt(fd.fd, ln[0], ln[1]);
        } finally {
            fd.release();
        }
        if (r < 0) {
            throw Errno.toException("getsockopt(" + option + ")", (int) -r);
        }
        return OptionValues.fromInt(option, (int) r);
    }

    /**
     * The level and name of a boolean or integer option: on an {@code AF_INET6} socket, the IP options
     * are IPv6's ({@code IPV6_TCLASS} for {@code IP_TOS}, the hop limit for the multicast TTL).
     *
     * @param option the option
     * @param family the socket's family
     * @return {@code {level, name}}
     * @throws UnsupportedOperationException for an option without an int value here
     */
    static int[] levelAndName(SocketOption<?> option, int family) {
        boolean v6 = family == AF_INET6;
        if (option == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {IPPROTO_TCP, TCP_NODELAY};
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {SOL_SOCKET, SO_KEEPALIVE};
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {SOL_SOCKET, SO_RCVBUF};
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {SOL_SOCKET, SO_SNDBUF};
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {SOL_SOCKET, SO_REUSEADDR};
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return new int[] {SOL_SOCKET, SO_REUSEPORT};
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            return new int[] {SOL_SOCKET, SO_BROADCAST};
        } else if (option == StandardSocketOptions.IP_TOS) {
            return v6 ? new int[] {IPPROTO_IPV6, IPV6_TCLASS} : new int[] {IPPROTO_IP, IP_TOS};
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            return v6 ? new int[] {IPPROTO_IPV6, IPV6_MULTICAST_HOPS} : new int[] {IPPROTO_IP, IP_MULTICAST_TTL};
        } else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            return v6 ? new int[] {IPPROTO_IPV6, IPV6_MULTICAST_LOOP} : new int[] {IPPROTO_IP, IP_MULTICAST_LOOP};
        }
        throw new UnsupportedOperationException("'" + option + "' not supported");
    }

    /**
     * Runs a short system call on the open descriptor.
     *
     * @return what it returned
     * @throws SocketException {@code closed}'s, if the descriptor is closed
     */
    static int call(NativeFd fd, Supplier<? extends SocketException> closed, IntSupplier call) throws SocketException {
        if (!fd.acquire()) {
            throw closed.get();
        }
        try {
            return call.getAsInt();
        } finally {
            fd.release();
        }
    }

    /** Throws {@code operation}'s exception for a negative result (-errno). */
    static void check(String operation, int result) throws IOException {
        if (result < 0) {
            throw Errno.toException(operation, -result);
        }
    }
}
