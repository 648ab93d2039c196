package dev.fiberio.iocp.win32;

import static dev.fiberio.iocp.win32.Win32Constants.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** Error codes become the exceptions java.net.Socket users expect. */
class Win32ErrorTest {

    @Test
    void refusedIsConnectException() {
        for (int code : new int[] {WSAECONNREFUSED, ERROR_CONNECTION_REFUSED}) {
            IOException e = Win32Error.exception("ConnectEx", code);
            assertSame(ConnectException.class, e.getClass());
            assertEquals("Connection refused", e.getMessage());
            assertTrue(e.getCause().getMessage().contains("ConnectEx"), e.getCause().getMessage());
        }
    }

    @Test
    void resetIsSocketExceptionWithTheJdkMessage() {
        for (int code : new int[] {WSAECONNRESET, ERROR_NETNAME_DELETED, WSAENETRESET}) {
            IOException e = Win32Error.exception("WSARecv", code);
            assertSame(SocketException.class, e.getClass());
            assertEquals("Connection reset", e.getMessage());
        }
    }

    @Test
    void addressInUseIsBindException() {
        IOException e = Win32Error.exception("bind", WSAEADDRINUSE);
        assertSame(BindException.class, e.getClass());
        assertEquals("Address already in use", e.getMessage());
        assertEquals("Address already in use (bind: WSAEADDRINUSE 10048)", e.getCause().getMessage());
    }

    @Test
    void resourceExhaustionIsRecognised() {
        for (int code : new int[] {WSAEMFILE, WSAENOBUFS, ERROR_TOO_MANY_OPEN_FILES, ERROR_NO_SYSTEM_RESOURCES,
                ERROR_NOT_ENOUGH_MEMORY}) {
            assertTrue(Win32Error.isResourceExhaustion(code), Win32Error.name(code));
            assertSame(SocketException.class, Win32Error.exception("AcceptEx", code).getClass());
        }
        assertFalse(Win32Error.isResourceExhaustion(WSAECONNRESET));
    }

    @Test
    void timeouts() {
        assertSame(SocketTimeoutException.class, Win32Error.exception("GetQueuedCompletionStatusEx", WAIT_TIMEOUT).getClass());
        IOException network = Win32Error.exception("WSARecv", WSAETIMEDOUT);
        assertSame(SocketException.class, network.getClass());
        assertTrue(network.getMessage().startsWith("Connection timed out"), network.getMessage());
        for (int code : new int[] {WSAETIMEDOUT, ERROR_SEM_TIMEOUT}) {
            assertSame(ConnectException.class, Win32Error.connectException("ConnectEx", code).getClass());
        }
        assertSame(ConnectException.class, Win32Error.connectException("ConnectEx", WSAECONNREFUSED).getClass());
    }

    @Test
    void abortedAndUnreachable() {
        assertTrue(Win32Error.isAborted(WSA_OPERATION_ABORTED));
        assertFalse(Win32Error.isAborted(WSAECONNABORTED));
        assertTrue(Win32Error.exception("WSASend", ERROR_OPERATION_ABORTED).getMessage().startsWith("Socket closed"));
        assertSame(NoRouteToHostException.class, Win32Error.exception("ConnectEx", WSAEHOSTUNREACH).getClass());
        assertSame(NoRouteToHostException.class, Win32Error.exception("ConnectEx", ERROR_NETWORK_UNREACHABLE).getClass());
    }

    @Test
    void othersNameTheOperationAndCode() {
        IOException known = Win32Error.exception("WSARecv", WSAENOTSOCK);
        assertSame(IOException.class, known.getClass());
        assertEquals("WSARecv failed: WSAENOTSOCK (10038)", known.getMessage());
        assertEquals("CloseHandle failed: error 31337 (31337)", Win32Error.exception("CloseHandle", 31337).getMessage());
    }
}
