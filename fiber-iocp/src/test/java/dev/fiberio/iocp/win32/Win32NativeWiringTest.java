package dev.fiberio.iocp.win32;

import static dev.fiberio.iocp.win32.Win32Constants.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@link Win32Native} method through real FFM downcalls on this OS: each Win32 function
 * is an upcall stub with the same descriptor, which records its arguments and returns a chosen
 * result. This checks what the Linux build can check of the Windows binding: every call site's
 * exact types, argument order, BOOL and handle results, the per-thread capture segment (with
 * {@code errno} standing in for GetLastError / WSAGetLastError), and loading the extension
 * functions through WSAIoctl and calling them through their pointers.
 */
@SuppressWarnings("restricted")
class Win32NativeWiringTest {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final int EBADF = 9;

    /** Owner of the upcall stubs and test buffers; closed after each test. */
    private final Arena arena = Arena.ofShared();
    private final Map<String, MemorySegment> stubs = new HashMap<>();
    private final Map<String, Object[]> calls = new HashMap<>();
    private final TreeSet<String> called = new TreeSet<>();
    private final Map<String, Function<Object[], Object>> results = new HashMap<>();
    private Throwable upcallFailure;

    @AfterEach
    void close() {
        arena.close();
        assertNull(upcallFailure, "an upcall failed");
    }

    @Test
    void everyCallPassesItsArgumentsAndReturnsTheRawResult() {
        Win32Native win32 = link(Map.of());
        MemorySegment a = arena.allocate(128);
        MemorySegment b = arena.allocate(8);
        MemorySegment c = arena.allocate(8);
        MemorySegment d = arena.allocate(Overlapped.LAYOUT);
        MemorySegment bufs = arena.allocate(WsaBuf.arraySize(2));
        MemorySegment entries = arena.allocate(OverlappedEntry.arraySize(4));
        MemorySegment none = MemorySegment.NULL;

        assertEquals(0, win32.wsaStartup(WINSOCK_VERSION_2_2, a));
        expect("WSAStartup", WINSOCK_VERSION_2_2, a);
        results.put("WSACleanup", args -> SOCKET_ERROR);
        assertEquals(SOCKET_ERROR, win32.wsaCleanup());
        expect("WSACleanup");
        results.put("WSASocketW", args -> 0x1234L);
        assertEquals(0x1234L, win32.wsaSocket(AF_INET6, SOCK_STREAM, IPPROTO_TCP,
                WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
        expect("WSASocketW", AF_INET6, SOCK_STREAM, IPPROTO_TCP, none, 0, 0x81);
        assertEquals(0, win32.bind(7L, a, 28));
        expect("bind", 7L, a, 28);
        assertEquals(0, win32.listen(7L, SOMAXCONN));
        expect("listen", 7L, SOMAXCONN);
        assertEquals(0, win32.closesocket(7L));
        expect("closesocket", 7L);
        assertEquals(0, win32.shutdown(7L, SD_SEND));
        expect("shutdown", 7L, SD_SEND);
        assertEquals(0, win32.setsockopt(7L, SOL_SOCKET, SO_RCVBUF, a, 4));
        expect("setsockopt", 7L, SOL_SOCKET, SO_RCVBUF, a, 4);
        assertEquals(0, win32.getsockopt(7L, IPPROTO_TCP, TCP_NODELAY, a, b));
        expect("getsockopt", 7L, IPPROTO_TCP, TCP_NODELAY, a, b);
        assertEquals(0, win32.getsockname(7L, a, b));
        expect("getsockname", 7L, a, b);
        assertEquals(0, win32.getpeername(7L, a, b));
        expect("getpeername", 7L, a, b);
        assertEquals(0, win32.wsaIoctl(7L, SIO_GET_EXTENSION_FUNCTION_POINTER, a, 16, b, 8, c, none));
        expect("WSAIoctl", 7L, SIO_GET_EXTENSION_FUNCTION_POINTER, a, 16, b, 8, c, none, none);
        results.put("WSARecv", args -> SOCKET_ERROR);
        assertEquals(SOCKET_ERROR, win32.wsaRecv(7L, bufs, 2, none, c, d));
        expect("WSARecv", 7L, bufs, 2, none, c, d, none);
        assertEquals(0, win32.wsaSend(7L, bufs, 2, c, 0, d));
        expect("WSASend", 7L, bufs, 2, c, 0, d, none);
        results.put("WSARecvFrom", args -> SOCKET_ERROR);
        assertEquals(SOCKET_ERROR, win32.wsaRecvFrom(7L, bufs, 2, none, c, a, b, d));
        expect("WSARecvFrom", 7L, bufs, 2, none, c, a, b, d, none);
        assertEquals(0, win32.wsaSendTo(7L, bufs, 1, c, 0, a, 16, d));
        expect("WSASendTo", 7L, bufs, 1, c, 0, a, 16, d, none);
        results.put("connect", args -> SOCKET_ERROR);
        assertEquals(SOCKET_ERROR, win32.connect(7L, a, 28));
        expect("connect", 7L, a, 28);
        results.put("WSAGetOverlappedResult", args -> 1);
        assertTrue(win32.wsaGetOverlappedResult(7L, d, c, b));
        expect("WSAGetOverlappedResult", 7L, d, c, 0, b);
        results.put("CreateIoCompletionPort", args -> 0x88L);
        assertEquals(0x88L, win32.createIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 2));
        expect("CreateIoCompletionPort", -1L, 0L, 0L, 2);
        results.put("GetQueuedCompletionStatusEx", args -> 1);
        assertTrue(win32.getQueuedCompletionStatusEx(0x88L, entries, 4, c, INFINITE));
        expect("GetQueuedCompletionStatusEx", 0x88L, entries, 4, c, -1, 0);
        results.put("PostQueuedCompletionStatus", args -> 0);
        assertFalse(win32.postQueuedCompletionStatus(0x88L, 5, 9L, d));
        expect("PostQueuedCompletionStatus", 0x88L, 5, 9L, d);
        results.put("SetFileCompletionNotificationModes", args -> 1);
        assertTrue(win32.setFileCompletionNotificationModes(7L, (byte) 3));
        expect("SetFileCompletionNotificationModes", 7L, (byte) 3);
        results.put("CancelIoEx", args -> 1);
        assertTrue(win32.cancelIoEx(7L, none));
        expect("CancelIoEx", 7L, none);
        results.put("CloseHandle", args -> 1);
        assertTrue(win32.closeHandle(0x88L));
        expect("CloseHandle", 0x88L);

        results.put("WSAIoctl", this::returnExtensionPointer);
        assertThrows(IllegalStateException.class, () -> win32.acceptEx(7L, 8L, a, 0, 44, 44, c, d));
        assertEquals(0, win32.loadExtensionFunctions(7L));
        results.put("AcceptEx", args -> 1);
        assertTrue(win32.acceptEx(7L, 8L, a, 0, ACCEPTEX_ADDRESS_LENGTH, ACCEPTEX_ADDRESS_LENGTH, c, d));
        expect("AcceptEx", 7L, 8L, a, 0, 44, 44, c, d);
        assertFalse(win32.connectEx(8L, a, 28, none, 0, none, d));
        expect("ConnectEx", 8L, a, 28, none, 0, none, d);
        win32.getAcceptExSockaddrs(a, 0, 44, 44, b, c, bufs, entries);
        expect("GetAcceptExSockaddrs", a, 0, 44, 44, b, c, bufs, entries);

        TreeSet<String> all = new TreeSet<>();
        Arrays.stream(Win32Function.values()).map(Win32Function::symbol).forEach(all::add);
        assertEquals(all, called, "every native function was called");
    }

    @Test
    void lastErrorIsTheErrorCapturedByThisThreadsFailedCall() throws Exception {
        if (isWindows()) {
            // The real DLLs, real capture: closesocket of no socket fails with WSANOTINITIALISED (no
            // WSAStartup in this JVM yet) or WSAENOTSOCK, CloseHandle(NULL) with ERROR_INVALID_HANDLE.
            // (The C runtime's _close is no stand-in here: a bad descriptor invokes its
            // invalid-parameter handler, which may end the process.)
            Win32Native win32 = Win32Native.load();
            assertEquals(SOCKET_ERROR, win32.closesocket(INVALID_SOCKET));
            int error = win32.lastError();
            assertTrue(error == WSANOTINITIALISED || error == WSAENOTSOCK, "the WSAGetLastError slot: " + error);
            assertEquals(0, CompletableFuture.supplyAsync(win32::lastError).get(), "another thread has its own state");
            assertEquals(error, win32.lastError(), "unchanged by the other thread");
            assertFalse(win32.closeHandle(0L));
            assertEquals(ERROR_INVALID_HANDLE, win32.lastError(), "the GetLastError slot");
            return;
        }
        // closesocket(SOCKET) and CloseHandle(HANDLE) linked to libc close(int): -1 fails with EBADF.
        MemorySegment close = LINKER.defaultLookup().find("close").orElseThrow();
        Win32Native win32 = link(Map.of("closesocket", close, "CloseHandle", close));

        assertEquals(SOCKET_ERROR, win32.closesocket(-1L));
        assertEquals(EBADF, win32.lastError(), "the WSAGetLastError slot");
        assertEquals(0, CompletableFuture.supplyAsync(win32::lastError).get(), "another thread has its own state");
        assertEquals(EBADF, win32.lastError(), "unchanged by the other thread");
        win32.closeHandle(-1L);
        assertEquals(EBADF, win32.lastError(), "the GetLastError slot");
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }

    @Test
    void failedExtensionLoadingReportsSocketError() {
        Win32Native win32 = link(Map.of());
        results.put("WSAIoctl", args -> SOCKET_ERROR);
        assertEquals(SOCKET_ERROR, win32.loadExtensionFunctions(7L));
        MemorySegment none = MemorySegment.NULL;
        assertThrows(IllegalStateException.class, () -> win32.connectEx(8L, none, 0, none, 0, none, none));
    }

    @Test
    void rejectsArraysShorterThanTheirCount() {
        Win32Native win32 = link(Map.of());
        MemorySegment oneEntry = arena.allocate(OverlappedEntry.arraySize(1));
        MemorySegment oneBuf = arena.allocate(WsaBuf.arraySize(1));
        MemorySegment c = arena.allocate(8);
        assertThrows(IllegalArgumentException.class,
                () -> win32.getQueuedCompletionStatusEx(1L, oneEntry, 2, c, 0));
        assertThrows(IllegalArgumentException.class, () -> win32.wsaRecv(1L, oneBuf, 2, c, c, c));
        assertThrows(IllegalArgumentException.class, () -> win32.wsaRecvFrom(1L, oneBuf, 2, c, c, c, c, c));
        assertThrows(IllegalArgumentException.class, () -> win32.wsaSendTo(1L, oneBuf, 2, c, 0, c, 16, c));
        assertTrue(called.isEmpty(), "nothing reached native code");
    }

    // ---- plumbing

    private Win32Native link(Map<String, MemorySegment> overrides) {
        for (Win32Function function : Win32Function.values()) {
            stubs.put(function.symbol(), overrides.getOrDefault(function.symbol(), stub(function)));
        }
        SymbolLookup lookup = name -> Optional.ofNullable(stubs.get(name));
        Win32Linker linker = new Win32Linker(LINKER, lookup, lookup, Linker.Option.captureCallState("errno"));
        return new Win32Native(linker, new CallState(Linker.Option.captureStateLayout(), "errno", "errno"));
    }

    private MemorySegment stub(Win32Function function) {
        FunctionDescriptor descriptor = function.descriptor();
        MethodType type = descriptor.toMethodType();
        try {
            MethodHandle dispatch = MethodHandles.lookup().findVirtual(Win32NativeWiringTest.class, "dispatch",
                    MethodType.methodType(Object.class, String.class, FunctionDescriptor.class, Object[].class));
            MethodHandle target = MethodHandles.insertArguments(dispatch, 0, this, function.symbol(), descriptor)
                    .asCollector(Object[].class, type.parameterCount())
                    .asType(type);
            return LINKER.upcallStub(target, descriptor, arena);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The body of every upcall stub. Must not throw: an exception escaping an upcall ends the JVM. */
    @SuppressWarnings("unused")
    private Object dispatch(String symbol, FunctionDescriptor descriptor, Object[] args) {
        calls.put(symbol, args);
        called.add(symbol);
        Object fallback = descriptor.returnLayout().map(layout -> layout.equals(ValueLayout.JAVA_LONG) ? (Object) 0L : 0)
                .orElse(null);
        try {
            return results.getOrDefault(symbol, ignored -> fallback).apply(args);
        } catch (Throwable t) {
            upcallFailure = t;
            return fallback;
        }
    }

    /** WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER): answers with the stub of the GUID's function. */
    private Object returnExtensionPointer(Object[] args) {
        Guid guid = Guid.read(((MemorySegment) args[2]).reinterpret(Guid.LAYOUT.byteSize()));
        String name = Map.of(Guid.WSAID_ACCEPTEX, "AcceptEx", Guid.WSAID_CONNECTEX, "ConnectEx",
                Guid.WSAID_GETACCEPTEXSOCKADDRS, "GetAcceptExSockaddrs").get(guid);
        ((MemorySegment) args[4]).reinterpret(ADDRESS.byteSize()).set(ADDRESS, 0, stubs.get(name));
        ((MemorySegment) args[6]).reinterpret(4).set(JAVA_INT, 0, (int) ADDRESS.byteSize());
        return 0;
    }

    private void expect(String symbol, Object... expected) {
        Object[] actual = calls.remove(symbol);
        assertNotNull(actual, symbol + " was not called");
        assertEquals(normalize(expected), normalize(actual), symbol + " arguments");
    }

    /** Pointers compare by address (an upcall sees zero-length segments). */
    private static List<Object> normalize(Object[] values) {
        return Arrays.stream(values)
                .map(v -> v instanceof MemorySegment s ? "address " + s.address() : v)
                .toList();
    }
}
