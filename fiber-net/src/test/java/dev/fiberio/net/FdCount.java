package dev.fiberio.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts what this process has open, to find leaks: on Linux the entries of {@code /proc/self/fd},
 * on Windows the process's handles ({@code GetProcessHandleCount}, kernel32, through FFM: sockets,
 * the completion port, files and thread handles alike). Elsewhere (macOS) counts are -1 and checks pass.
 */
public final class FdCount {
    private static final File PROC_FD = new File("/proc/self/fd");
    /** How long {@link #assertNoLeak} waits for descriptors or handles that other threads close as they end. */
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final HandleCounter WINDOWS = isWindows() ? new HandleCounter() : null;

    private FdCount() {
    }

    /**
     * The number of open descriptors (Windows: handles) now.
     *
     * @return the count, or -1 where it cannot be counted
     */
    public static int count() {
        if (WINDOWS != null) {
            return WINDOWS.count();
        }
        String[] entries = PROC_FD.list();
        return entries == null ? -1 : entries.length;
    }

    /**
     * Asserts that the count is back to at most {@code before}: a backend's {@code close()} releases the
     * descriptor before it returns, and a closed scheduler has released those of its I/O machinery. On
     * Windows the count includes the handle of every OS thread, which the JVM closes shortly after the
     * thread ended (after {@code join} returned), so there the count may take a moment to come down: it
     * is re-read for up to 5 s before the check fails; a real leak never comes down.
     *
     * @param before the count taken before the test, or -1
     */
    public static void assertNoLeak(int before) {
        if (before < 0) {
            return;
        }
        int now = count();
        // A descriptor may be closed a moment later by another thread: the last operation leaving a
        // socket closed concurrently (the close guard), a peer thread's close, a completion reaped.
        long deadline = System.nanoTime() + SETTLE_NANOS;
        while (now > before && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // polling a count, not ordering threads
            now = count();
        }
        String what = WINDOWS != null ? "handles" : "file descriptors";
        assertTrue(now <= before, what + " leaked: " + before + " open before the test, " + now + " after");
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /**
     * {@code GetProcessHandleCount(GetCurrentProcess(), &count)} (processthreadsapi.h, kernel32.dll):
     * {@code BOOL (HANDLE, PDWORD)}; GetCurrentProcess returns a pseudo-handle that needs no closing.
     */
    @SuppressWarnings("restricted")
    private static final class HandleCounter {
        private final MethodHandle getCurrentProcess;
        private final MethodHandle getProcessHandleCount;

        HandleCounter() {
            Linker linker = Linker.nativeLinker();
            // The global arena: kernel32 stays loaded for the life of the process anyway.
            SymbolLookup kernel32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
            getCurrentProcess = linker.downcallHandle(kernel32.find("GetCurrentProcess").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS));
            getProcessHandleCount = linker.downcallHandle(kernel32.find("GetProcessHandleCount").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        }

        int count() {
            // A shared arena, not a confined one: the caller may be a fiber, which can resume elsewhere.
            try (Arena arena = Arena.ofShared()) {
                MemorySegment handles = arena.allocate(JAVA_INT);
                MemorySegment process = (MemorySegment) getCurrentProcess.invokeExact();
                if ((int) getProcessHandleCount.invokeExact(process, handles) == 0) {
                    throw new IllegalStateException("GetProcessHandleCount failed");
                }
                return handles.get(JAVA_INT, 0);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
