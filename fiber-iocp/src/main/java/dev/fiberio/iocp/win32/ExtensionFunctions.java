package dev.fiberio.iocp.win32;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The downcalls of the three Winsock extension functions, linked to the pointers that
 * {@code WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)} returns for their GUIDs.
 *
 * @param acceptEx {@code AcceptEx}
 * @param connectEx {@code ConnectEx}
 * @param getAcceptExSockaddrs {@code GetAcceptExSockaddrs}
 */
record ExtensionFunctions(MethodHandle acceptEx, MethodHandle connectEx, MethodHandle getAcceptExSockaddrs) {

    /**
     * Asks the provider of {@code socket} for the three pointers and links them.
     *
     * @return the functions, or null if a WSAIoctl failed (its error is then {@code win32.lastError()})
     */
    static ExtensionFunctions load(Win32 win32, Win32Linker linker, long socket) {
        // Owner: this call. WSAIoctl without an OVERLAPPED is synchronous, so the memory is free
        // of the kernel when it returns, and the arena frees it when this method returns. A shared
        // arena, not a confined one: this may run in a fiber, whose thread identity the JIT may cache.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment guid = arena.allocate(Guid.LAYOUT);
            MemorySegment pointer = arena.allocate(ADDRESS);
            MemorySegment bytesReturned = arena.allocate(JAVA_INT);
            MethodHandle[] handles = new MethodHandle[3];
            Guid[] guids = {Guid.WSAID_ACCEPTEX, Guid.WSAID_CONNECTEX, Guid.WSAID_GETACCEPTEXSOCKADDRS};
            Win32Function[] functions = {Win32Function.ACCEPT_EX, Win32Function.CONNECT_EX,
                    Win32Function.GET_ACCEPT_EX_SOCKADDRS};
            for (int i = 0; i < handles.length; i++) {
                guids[i].write(guid);
                int result = win32.wsaIoctl(socket, Win32Constants.SIO_GET_EXTENSION_FUNCTION_POINTER,
                        guid, (int) guid.byteSize(), pointer, (int) pointer.byteSize(), bytesReturned, MemorySegment.NULL);
                if (result == Win32Constants.SOCKET_ERROR) {
                    return null;
                }
                MemorySegment function = pointer.get(ADDRESS, 0);
                if (function.equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("WSAIoctl returned no pointer for " + functions[i].symbol());
                }
                handles[i] = linker.downcall(functions[i], function);
            }
            return new ExtensionFunctions(handles[0], handles[1], handles[2]);
        }
    }
}
