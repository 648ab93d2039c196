package dev.fiberio.iocp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.iocp.win32.SockAddrs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native scratch memory for the short, non-overlapped calls (bind, getsockname, setsockopt,
 * GetAcceptExSockaddrs, WSAGetOverlappedResult...), one set per carrier thread.
 *
 * <p>Found through a {@link CarrierLocal}, never a {@code ThreadLocal}: fiber code may run on any
 * worker, and the JIT may keep a carrier read before a suspension. A caller uses it only within one
 * stretch of code that does not suspend. Never a confined arena either: a fiber resumes on another
 * thread. Owner: the carrier's {@code CarrierScratch}; the automatic arena frees the memory with it.
 */
final class CarrierScratch {
    private static final CarrierLocal<CarrierScratch> CURRENT = new CarrierLocal<>(CarrierScratch::new);

    /** A sockaddr_storage. */
    final MemorySegment address;
    /** An int: a length in/out parameter. */
    final MemorySegment length;
    /** Eight bytes for an option value (int, linger, SOCKET). */
    final MemorySegment value;
    /** Two pointer-sized out parameters (GetAcceptExSockaddrs). */
    final MemorySegment pointers;
    /** Two int out parameters (GetAcceptExSockaddrs, WSAGetOverlappedResult). */
    final MemorySegment ints;

    private CarrierScratch() {
        // Owner: this object, one per carrier; the automatic arena frees the memory when it is unreachable.
        Arena arena = Arena.ofAuto();
        address = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
        length = arena.allocate(JAVA_INT);
        value = arena.allocate(JAVA_LONG);
        pointers = arena.allocate(ADDRESS, 2);
        ints = arena.allocate(JAVA_INT, 2);
    }

    /** The calling carrier's scratch; valid until the calling fiber next suspends. */
    static CarrierScratch get() {
        return CURRENT.get();
    }
}
