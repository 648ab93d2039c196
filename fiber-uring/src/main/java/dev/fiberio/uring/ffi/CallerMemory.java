package dev.fiberio.uring.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.nativeio.ffi.CallScratch;
import dev.fiberio.nativeio.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Copies between a socket's own buffer and the caller's memory. A native caller segment may be anything
 * a restricted {@code reinterpret} made of an address, even unmapped memory: touched from Java it
 * crashes the JVM, while a system call given it fails with {@code EFAULT} — which is what a read or
 * write into it gives on the epoll backend, where recv and send take the caller's memory. So a native
 * caller segment is copied by the kernel ({@code process_vm_readv}/{@code process_vm_writev} on this
 * process, through libc's variadic {@code syscall}, which also carries the caller's segment as an
 * argument the kernel ignores, so that FFM keeps its arena alive for the call and refuses a closed
 * one); a heap segment, always mapped, by a plain copy. Where the kernel refuses these calls (an
 * unknown architecture, a sandbox answering ENOSYS or EPERM) the plain copy is used.
 */
public final class CallerMemory {
    private static final long NR_PROCESS_VM_READV;
    private static final long NR_PROCESS_VM_WRITEV;
    /** errno "Bad address". */
    private static final int EFAULT = 14;
    private static final int ENOSYS = 38;
    private static final int EPERM = 1;
    /** syscall(nr, pid, local_iov, liovcnt, remote_iov, riovcnt, flags, keepAlive): the last is ignored by the kernel. */
    private static final MethodHandle SYSCALL = LibC.link("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETPID = LibC.link("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final long PID;
    /** Two {@code struct iovec}s per carrier (local, remote): the calls do not suspend. */
    private static final CarrierLocal<Iovecs> IOVECS = new CarrierLocal<>(Iovecs::new);
    private static volatile boolean kernelCopies;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64", "x86_64" -> {
                NR_PROCESS_VM_READV = 310;
                NR_PROCESS_VM_WRITEV = 311;
            }
            case "aarch64", "arm64", "riscv64" -> {
                NR_PROCESS_VM_READV = 270;
                NR_PROCESS_VM_WRITEV = 271;
            }
            default -> {
                NR_PROCESS_VM_READV = -1;
                NR_PROCESS_VM_WRITEV = -1;
            }
        }
        try {
            PID = (int) GETPID.invokeExact(CallScratch.current().capture());
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
        kernelCopies = NR_PROCESS_VM_READV > 0;
    }

    private CallerMemory() {
    }

    /**
     * Copies {@code n} bytes from {@code own} at {@code offset} into {@code dst} at {@code dstOffset}
     * (no slice of either is made: a read of a direct buffer allocates nothing).
     *
     * @return the bytes copied (fewer than {@code n} if {@code dst} is mapped only in part), or
     *         {@code -errno} ({@code -EFAULT}: nothing of {@code dst} is writable memory)
     * @throws IllegalStateException if {@code dst}'s arena is closed
     */
    public static long copyOut(MemorySegment own, long offset, MemorySegment dst, long dstOffset, int n) {
        if (!dst.isNative() || !kernelCopies) {
            MemorySegment.copy(own, offset, dst, dstOffset, n);
            return n;
        }
        long r = kernelCopy(NR_PROCESS_VM_WRITEV, own, offset, dst, dstOffset, n);
        if (r == PLAIN) {
            MemorySegment.copy(own, offset, dst, dstOffset, n);
            return n;
        }
        return r;
    }

    /**
     * Copies {@code n} bytes from {@code src} at {@code srcOffset} into {@code own} at {@code ownOffset} (no
     * slice of either is made).
     *
     * @return the bytes copied (fewer than {@code n} if {@code src} is mapped only in part), or
     *         {@code -errno} ({@code -EFAULT}: nothing of {@code src} is readable memory)
     * @throws IllegalStateException if {@code src}'s arena is closed
     */
    public static long copyIn(MemorySegment src, long srcOffset, MemorySegment own, long ownOffset, int n) {
        if (!src.isNative() || !kernelCopies) {
            MemorySegment.copy(src, srcOffset, own, ownOffset, n);
            return n;
        }
        long r = kernelCopy(NR_PROCESS_VM_READV, own, ownOffset, src, srcOffset, n);
        if (r == PLAIN) {
            MemorySegment.copy(src, srcOffset, own, ownOffset, n);
            return n;
        }
        return r;
    }

    /** {@link #kernelCopy}'s answer when the kernel refuses these calls: the caller copies plainly. */
    private static final long PLAIN = Long.MIN_VALUE;

    /**
     * process_vm_readv/writev with {@code n} bytes of {@code own} from {@code ownOffset} as the local and of
     * {@code caller} from {@code callerOffset} as the "remote" range.
     *
     * @return bytes copied, {@code -errno}, or {@link #PLAIN} (the kernel refuses: copy plainly from now on)
     */
    private static long kernelCopy(long nr, MemorySegment own, long ownOffset, MemorySegment caller, long callerOffset,
                                   int n) {
        if (n == 0) {
            return 0;
        }
        if (n > caller.byteSize() - callerOffset || n > own.byteSize() - ownOffset || callerOffset < 0 || ownOffset < 0) {
            throw new IndexOutOfBoundsException("copy of " + n + " bytes between segments of " + own.byteSize()
                    + " (from " + ownOffset + ") and " + caller.byteSize() + " (from " + callerOffset + ")");
        }
        Iovecs iov = IOVECS.get();
        iov.local.set(JAVA_LONG, 0, own.address() + ownOffset);
        iov.local.set(JAVA_LONG, 8, n);
        iov.remote.set(JAVA_LONG, 0, caller.address() + callerOffset);
        iov.remote.set(JAVA_LONG, 8, n);
        CallScratch s = CallScratch.current();
        long r;
        try {
            r = LibC.result((long) SYSCALL.invokeExact(s.capture(), nr, PID, iov.local, 1L, iov.remote, 1L, 0L, caller), s);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
        if (r == -ENOSYS || r == -EPERM) {
            kernelCopies = false; // a sandbox without these calls: plain copies from now on
            return PLAIN;
        }
        return r == 0 ? -EFAULT : r; // n > 0 here: nothing copied means nothing of the range was mapped
    }

    /** A carrier's two iovecs, sliced once from one allocation. */
    private static final class Iovecs {
        // Owner: the carrier (automatic arena): the kernel reads them during the call only.
        final MemorySegment local;
        final MemorySegment remote;

        Iovecs() {
            MemorySegment both = Arena.ofAuto().allocate(32, 8);
            local = both.asSlice(0, 16);
            remote = both.asSlice(16, 16);
        }
    }
}
