package dev.fiberio.uring.ffi;

import static dev.fiberio.uring.ffi.UringConstants.__NR_io_uring_enter;
import static dev.fiberio.uring.ffi.UringConstants.__NR_io_uring_register;
import static dev.fiberio.uring.ffi.UringConstants.__NR_io_uring_setup;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fiberio.nativeio.ffi.CallScratch;
import dev.fiberio.nativeio.ffi.LibC;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The io_uring system calls through libc's variadic {@code syscall(2)} (no liburing), plus
 * {@code mmap}/{@code munmap} for the rings, with {@link LibC}'s convention: the result, or
 * {@code -errno}. Every argument of {@code syscall} is passed as a 64-bit integer, which is how the
 * C calling convention passes an {@code int} or a pointer in a variadic position on x86_64 and
 * aarch64.
 *
 * <p>{@link #enter} may block (waiting for completions), so it is an ordinary downcall: the carrier is
 * in native state and does not hold up the GC.
 */
public final class LibUring {
    private static final MethodHandle SYSCALL4 = LibC.link("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL6 = LibC.link("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = LibC.link("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = LibC.link("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    /** PROT_READ | PROT_WRITE. */
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    /** MAP_SHARED | MAP_POPULATE. */
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    private LibUring() {
    }

    /**
     * {@code io_uring_setup(2)}: creates a ring; the descriptor is close-on-exec (the kernel opens it
     * with O_CLOEXEC).
     *
     * @param entries the SQ size wanted
     * @param params  a native {@link UringLayouts#PARAMS}: flags in, offsets and features out
     * @return the ring descriptor, or {@code -errno}
     */
    public static int setup(int entries, MemorySegment params) {
        return (int) syscall4(__NR_io_uring_setup, entries, params.address(), 0, 0);
    }

    /**
     * {@code io_uring_enter(2)}: submits up to {@code toSubmit} SQEs and, with
     * {@link UringConstants#IORING_ENTER_GETEVENTS}, waits for {@code minComplete} completions.
     *
     * @param fd          the ring
     * @param toSubmit    how many SQEs to submit at most
     * @param minComplete completions to wait for
     * @param flags       {@code IORING_ENTER_*}
     * @param arg         NULL, or an io_uring_getevents_arg with {@link UringConstants#IORING_ENTER_EXT_ARG}
     * @param argSize     the size of {@code arg}
     * @return the number of SQEs submitted, or {@code -errno} ({@code -ETIME} when the wait timed out)
     */
    public static int enter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        CallScratch s = CallScratch.current();
        try {
            return (int) LibC.result((long) SYSCALL6.invokeExact(s.capture(), (long) __NR_io_uring_enter, (long) fd,
                    (long) toSubmit, (long) minComplete, (long) flags, arg.address(), argSize), s);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }

    /**
     * {@code io_uring_register(2)}.
     *
     * @param fd     the ring
     * @param opcode {@code IORING_REGISTER_*}
     * @param arg    the opcode's argument
     * @param count  the opcode's count
     * @return the result, or {@code -errno}
     */
    public static int register(int fd, int opcode, MemorySegment arg, int count) {
        return (int) syscall4(__NR_io_uring_register, fd, opcode, arg.address(), count);
    }

    private static long syscall4(long nr, long a, long b, long c, long d) {
        CallScratch s = CallScratch.current();
        try {
            return LibC.result((long) SYSCALL4.invokeExact(s.capture(), nr, a, b, c, d), s);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }

    /**
     * {@code mmap(2)} of a ring region, shared and pre-faulted.
     *
     * @param fd     the ring
     * @param length the region's size
     * @param offset {@code IORING_OFF_*}
     * @return the mapping (a zero-length segment; reinterpret it), or a segment whose address is
     *         {@code -errno} (test with {@link #failed})
     */
    public static MemorySegment mmap(int fd, long length, long offset) {
        CallScratch s = CallScratch.current();
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(s.capture(), MemorySegment.NULL, length,
                    PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, offset);
            return m.address() == -1L ? MemorySegment.ofAddress(-s.errno()) : m;
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }

    /**
     * Whether an {@link #mmap} result is a failure; its address is then {@code -errno}.
     *
     * @param mapping what {@link #mmap} returned
     * @return true on failure
     */
    public static boolean failed(MemorySegment mapping) {
        return mapping.address() < 0 && mapping.address() > -4096;
    }

    /**
     * {@code munmap(2)}.
     *
     * @param address the mapping's start
     * @param length  its size
     * @return 0, or {@code -errno}
     */
    public static int munmap(MemorySegment address, long length) {
        CallScratch s = CallScratch.current();
        try {
            return LibC.result((int) MUNMAP.invokeExact(s.capture(), address, length), s);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }
}
