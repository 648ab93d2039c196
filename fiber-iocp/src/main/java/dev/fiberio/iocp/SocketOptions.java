package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_TCP;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_KEEPALIVE;
import static dev.fiberio.iocp.win32.Win32Constants.SO_LINGER;
import static dev.fiberio.iocp.win32.Win32Constants.SO_RCVBUF;
import static dev.fiberio.iocp.win32.Win32Constants.SO_SNDBUF;
import static dev.fiberio.iocp.win32.Win32Constants.TCP_NODELAY;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.iocp.win32.Linger;
import dev.fiberio.nativeio.OptionValues;
import java.lang.foreign.MemorySegment;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

/**
 * How the standard socket options map to Winsock's {@code setsockopt}/{@code getsockopt}: level,
 * name and the encoding of values in the 8-byte scratch value.
 *
 * <p>{@code SO_REUSEADDR} is not passed to Winsock. Its Windows meaning differs from the BSD one
 * that Java programs expect: on Windows it lets a second socket bind to a port another socket
 * actively uses, and then "the behavior for all sockets bound to that port is indeterminate" ("Using
 * SO_REUSEADDR and SO_EXCLUSIVEADDRUSE", learn.microsoft.com). Like the JDK on Windows, fiberio binds
 * every socket it opens with {@code SO_EXCLUSIVEADDRUSE} (no other socket can take its port) and
 * only records the value of {@code SO_REUSEADDR}, which {@code getOption} returns. Rebinding a port
 * whose earlier connections linger in TIME_WAIT, the BSD use of the option, can therefore fail with
 * "Address already in use" until they expire.
 */
final class SocketOptions {
    /** The options every IOCP socket supports. */
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR);

    /** Byte size of every value this class encodes: an int (BOOL, int) or a {@code linger}. */
    static final int VALUE_LENGTH = 4;

    private SocketOptions() {
    }

    /** The Winsock level of {@code option}. */
    static int level(SocketOption<?> option) {
        return option == StandardSocketOptions.TCP_NODELAY ? IPPROTO_TCP : SOL_SOCKET;
    }

    /** The Winsock name of {@code option} (not for the emulated SO_REUSEADDR). */
    static int name(SocketOption<?> option) {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            return TCP_NODELAY;
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return SO_KEEPALIVE;
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return SO_RCVBUF;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return SO_SNDBUF;
        } else if (option == StandardSocketOptions.SO_LINGER) {
            return SO_LINGER;
        }
        throw new UnsupportedOperationException("'" + option + "' is not passed to Winsock");
    }

    /**
     * Writes {@code value} as Winsock expects it: a BOOL or int, or for SO_LINGER a {@code linger}
     * (a negative value turns lingering off; longer than 65535 s is capped).
     *
     * @throws IllegalArgumentException for a negative int value other than SO_LINGER's
     */
    static void encode(SocketOption<?> option, Object value, MemorySegment dst) {
        if (option == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            Linger.set(dst, OptionValues.lingerOn(seconds), OptionValues.lingerSeconds(seconds));
            return;
        }
        dst.set(JAVA_INT, 0, OptionValues.toInt(option, value));
    }

    /**
     * Reads a value getsockopt wrote ({@code length} bytes). Some Windows versions return a one-byte
     * BOOLEAN for BOOL options, so a length of 1 is read as a byte.
     */
    static Object decode(SocketOption<?> option, MemorySegment src, int length) {
        if (option == StandardSocketOptions.SO_LINGER) {
            return OptionValues.lingerValue(Linger.enabled(src), Linger.seconds(src));
        }
        int v = length == 1 ? src.get(JAVA_BYTE, 0) : src.get(JAVA_INT, 0);
        return OptionValues.fromInt(option, v);
    }
}
