package dev.fiberio.nativeio.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Names of errno values and their translation into java.net exceptions. */
class ErrnoTest {

    static Stream<Arguments> mappings() {
        return Stream.of(
                Arguments.of(Errno.ECONNREFUSED, ConnectException.class, "Connection refused"),
                Arguments.of(Errno.ETIMEDOUT, ConnectException.class, "Connection timed out"),
                Arguments.of(Errno.ECONNRESET, SocketException.class, "Connection reset"),
                Arguments.of(Errno.EPIPE, SocketException.class, "Broken pipe"),
                Arguments.of(Errno.EADDRINUSE, BindException.class, null),
                Arguments.of(Errno.EADDRNOTAVAIL, BindException.class, null),
                Arguments.of(Errno.ENETUNREACH, NoRouteToHostException.class, null),
                Arguments.of(Errno.EHOSTUNREACH, NoRouteToHostException.class, null),
                Arguments.of(Errno.EMFILE, FdExhaustedException.class, null),
                Arguments.of(Errno.ENFILE, FdExhaustedException.class, null),
                Arguments.of(Errno.EBADF, NativeIOException.class, null),
                Arguments.of(Errno.EINVAL, NativeIOException.class, null),
                Arguments.of(Errno.ENOTCONN, NativeIOException.class, null));
    }

    @ParameterizedTest
    @MethodSource("mappings")
    void errnoMapsToTheExpectedExceptionAndMessage(int errno, Class<? extends IOException> type, String prefix) {
        IOException e = Errno.toException("someop", errno);

        assertEquals(type, e.getClass());
        String suffix = " (someop: " + Errno.name(errno) + ")";
        if (e instanceof NativeIOException) { // no java.net counterpart: the detail is in the message
            assertTrue(e.getMessage().endsWith(suffix), e.getMessage());
            String text = e.getMessage().substring(0, e.getMessage().length() - suffix.length());
            assertEquals(LibC.strerror(errno), text);
            assertFalse(text.isBlank(), "message text");
            return;
        }
        // java.net's exact message; the operation and errno in the cause
        assertEquals(prefix == null ? LibC.strerror(errno) : prefix, e.getMessage());
        NativeIOException detail = assertInstanceOf(NativeIOException.class, e.getCause());
        assertEquals(LibC.strerror(errno) + suffix, detail.getMessage());
        assertEquals(errno, detail.errno());
        assertEquals("someop", detail.operation());
    }

    @Test
    void nativeExceptionsCarryErrnoAndOperation() {
        NativeIOException e = (NativeIOException) Errno.toException("close", Errno.EBADF);
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close", e.operation());

        FdExhaustedException exhausted = (FdExhaustedException) Errno.toException("accept4", Errno.EMFILE);
        assertEquals(Errno.EMFILE, exhausted.errno());
        assertEquals("accept4", exhausted.operation());
    }

    @Test
    void nonPositiveErrnoIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Errno.toException("read", 0));
        assertThrows(IllegalArgumentException.class, () -> Errno.toException("read", -Errno.EAGAIN));
    }

    @Test
    void everyConstantHasItsOwnName() throws IllegalAccessException {
        for (Field field : Errno.class.getFields()) {
            int value = field.getInt(null);
            String expected = value == Errno.EAGAIN ? "EAGAIN" : field.getName();
            assertEquals(expected, Errno.name(value), field.getName());
        }
        assertEquals("EAGAIN", Errno.name(Errno.EWOULDBLOCK));
        assertEquals("errno 4095", Errno.name(4095));
    }

    @Test
    void strerrorDescribesKnownAndUnknownValues() {
        String badFd = LibC.strerror(Errno.EBADF);
        assertFalse(badFd.isBlank());
        assertNotEquals(badFd, LibC.strerror(Errno.EINVAL));
        assertTrue(LibC.strerror(4095).contains("4095"), LibC.strerror(4095));
    }
}
