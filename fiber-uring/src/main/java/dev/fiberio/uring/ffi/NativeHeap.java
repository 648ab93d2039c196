package dev.fiberio.uring.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fiberio.nativeio.ffi.CallScratch;
import dev.fiberio.nativeio.ffi.LibC;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * libc's {@code malloc} and {@code free}, for native memory whose owner frees it at a moment it chooses
 * (an arena frees all of its memory at once, or leaves it to the GC). The memory is not zeroed, so pages
 * nobody wrote stay unbacked.
 */
public final class NativeHeap {
    private static final MethodHandle MALLOC = LibC.link("malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = LibC.link("free", FunctionDescriptor.ofVoid(ADDRESS));

    private NativeHeap() {
    }

    /**
     * {@code malloc(size)}.
     *
     * @param size bytes, at least 1
     * @return the memory ({@code size} bytes, 16-byte aligned), or {@link MemorySegment#NULL} if there is none
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    @SuppressWarnings("restricted")
    public static MemorySegment allocate(long size) {
        if (size < 1) {
            throw new IllegalArgumentException("allocation of " + size + " bytes");
        }
        MemorySegment m;
        try {
            m = (MemorySegment) MALLOC.invokeExact(CallScratch.current().capture(), size);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
        return m.address() == 0 ? MemorySegment.NULL : m.reinterpret(size);
    }

    /**
     * {@code free}: the memory must come from {@link #allocate} and must not be used afterwards.
     *
     * @param memory what {@link #allocate} returned
     */
    public static void free(MemorySegment memory) {
        try {
            FREE.invokeExact(CallScratch.current().capture(), memory);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }
}
