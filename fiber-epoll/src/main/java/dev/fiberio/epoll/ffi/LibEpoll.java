package dev.fiberio.epoll.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.nativeio.ffi.CallScratch;
import dev.fiberio.nativeio.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * FFM downcalls to the epoll functions of the C library, with {@link LibC}'s return convention (the
 * result, or {@code -errno}) and errno capture. The {@code struct epoll_event} argument of
 * {@link #epollCtl} is built in a per-carrier scratch segment (found through {@link CarrierLocal},
 * for the reason {@link CallScratch} gives), so no call allocates.
 */
public final class LibEpoll {
    private static final MethodHandle EPOLL_CREATE1 = LibC.link("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = LibC.link("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = LibC.link("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** One {@code struct epoll_event} per carrier; freed by the GC with its carrier. */
    private static final CarrierLocal<MemorySegment> EVENT = new CarrierLocal<>(() -> Arena.ofAuto().allocate(EpollEvent.LAYOUT));

    private LibEpoll() {
    }

    /**
     * {@code epoll_create1(2)}: creates an epoll instance.
     *
     * @param flags 0 or {@link dev.fiberio.nativeio.ffi.LinuxConstants#EPOLL_CLOEXEC}
     * @return the new epoll fd, or {@code -errno}
     */
    public static int epollCreate1(int flags) {
        CallScratch s = CallScratch.current();
        try {
            return LibC.result((int) EPOLL_CREATE1.invokeExact(s.capture(), flags), s);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }

    /**
     * {@code epoll_ctl(2)}: adds, modifies or removes an fd's registration.
     *
     * @param epfd the epoll fd
     * @param op {@code EPOLL_CTL_ADD}, {@code _MOD} or {@code _DEL}
     * @param fd the fd to register
     * @param events the {@code EPOLL*} bits (ignored for DEL)
     * @param data the 64-bit token reported back by {@link #epollWait} (ignored for DEL)
     * @return 0, or {@code -errno}
     */
    public static int epollCtl(int epfd, int op, int fd, int events, long data) {
        CallScratch s = CallScratch.current();
        MemorySegment event = EVENT.get();
        EpollEvent.set(event, 0, events, data);
        try {
            return LibC.result((int) EPOLL_CTL.invokeExact(s.capture(), epfd, op, fd, event), s);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }

    /**
     * {@code epoll_wait(2)}: waits for events. Blocks the calling thread for up to {@code
     * timeoutMillis}; linked non-critical, so the GC proceeds meanwhile.
     *
     * @param epfd the epoll fd
     * @param events a native array of at least {@code maxEvents} elements, see {@link EpollEvent}
     * @param maxEvents the maximum number of events to return, at least 1
     * @param timeoutMillis -1 to wait indefinitely, 0 to poll, else a bound in milliseconds
     * @return the number of events written to {@code events} (0 on timeout), or {@code -errno}
     * @throws IndexOutOfBoundsException if {@code events} is too small for {@code maxEvents}
     */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        Objects.checkFromIndexSize(0, maxEvents * EpollEvent.SIZE, events.byteSize());
        CallScratch s = CallScratch.current();
        try {
            return LibC.result((int) EPOLL_WAIT.invokeExact(s.capture(), epfd, events, maxEvents, timeoutMillis), s);
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }
}
