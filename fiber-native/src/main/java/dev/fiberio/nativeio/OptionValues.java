package dev.fiberio.nativeio;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.Set;

/**
 * What a socket option means on the Java side, the same on every native backend: which options a
 * socket refuses, how a value is checked and turned into the {@code int} of {@code setsockopt}, and how
 * the {@code int} of {@code getsockopt} is turned back. The levels, names and structs of the system
 * calls are each platform's (libc's in {@code .ffi.SocketOptions}, Winsock's in fiber-iocp).
 *
 * <p>Names no libc class: fiber-iocp uses it on Windows.
 */
public final class OptionValues {
    /** The largest linger time: {@code java.net.Socket} caps it there, and Winsock's {@code l_linger} is a u_short. */
    public static final int MAX_LINGER_SECONDS = 0xFFFF;

    private OptionValues() {
    }

    /**
     * Checks that {@code option} is one of {@code supported}.
     *
     * @param supported the socket's options
     * @param option    the option asked for
     * @throws NullPointerException          if {@code option} is null
     * @throws UnsupportedOperationException if it is not supported
     */
    public static void requireSupported(Set<SocketOption<?>> supported, SocketOption<?> option) {
        Objects.requireNonNull(option, "option");
        if (!supported.contains(option)) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
    }

    /**
     * Checks an option and the value to set.
     *
     * @param supported the socket's options
     * @param option    the option
     * @param value     its value
     * @throws NullPointerException          if either is null
     * @throws UnsupportedOperationException if the option is not supported
     */
    public static void requireSettable(Set<SocketOption<?>> supported, SocketOption<?> option, Object value) {
        requireSupported(supported, option);
        Objects.requireNonNull(value, () -> "value of " + option);
    }

    /**
     * The {@code int} of {@code setsockopt} for a boolean or integer option: 1 or 0 for a boolean.
     *
     * @param option the option
     * @param value  its value, a {@link Boolean} or an {@link Integer}
     * @return the value to pass
     * @throws IllegalArgumentException for a TTL or TOS outside 0..255, or a negative integer
     */
    public static int toInt(SocketOption<?> option, Object value) {
        int v = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
        if (option == StandardSocketOptions.IP_MULTICAST_TTL && (v < 0 || v > 255)) {
            throw new IllegalArgumentException("Invalid TTL/hop value: " + v);
        }
        if (option == StandardSocketOptions.IP_TOS && (v < 0 || v > 255)) {
            throw new IllegalArgumentException("Invalid IP_TOS value: " + v);
        }
        if (v < 0) {
            throw new IllegalArgumentException("negative value for " + option.name() + ": " + v);
        }
        return v;
    }

    /**
     * The value of a boolean or integer option from the {@code int} of {@code getsockopt}.
     *
     * @param option the option
     * @param value  what the system returned
     * @param <T>    the option's type
     * @return a {@link Boolean} (any non-zero value is true) or an {@link Integer}
     */
    @SuppressWarnings("unchecked")
    public static <T> T fromInt(SocketOption<T> option, int value) {
        return option.type() == Boolean.class ? (T) Boolean.valueOf(value != 0) : (T) Integer.valueOf(value);
    }

    /**
     * The {@code l_linger} for an {@code SO_LINGER} value ({@link #lingerOn} says whether to linger).
     *
     * @param seconds the value set
     * @return it within 0..{@link #MAX_LINGER_SECONDS}
     */
    public static int lingerSeconds(int seconds) {
        return Math.clamp(seconds, 0, MAX_LINGER_SECONDS);
    }

    /**
     * The {@code l_onoff} for an {@code SO_LINGER} value: a negative value turns lingering off.
     *
     * @param seconds the value set
     * @return whether to linger
     */
    public static boolean lingerOn(int seconds) {
        return seconds >= 0;
    }

    /**
     * The {@code SO_LINGER} value of a {@code struct linger}.
     *
     * @param on      {@code l_onoff != 0}
     * @param seconds {@code l_linger}
     * @return the seconds, or -1 if lingering is off
     */
    public static int lingerValue(boolean on, int seconds) {
        return on ? seconds : -1;
    }
}
