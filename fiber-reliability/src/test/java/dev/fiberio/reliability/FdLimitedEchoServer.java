package dev.fiberio.reliability;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import dev.fiberio.nativeio.ffi.RLimit;
import dev.fiberio.examples.echo.EchoServer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link FdExhaustionTest}: an echo server in a process whose descriptor limit
 * ({@code RLIMIT_NOFILE}, set through {@link LibC#setrlimit}) leaves only a given headroom above what
 * it has open after warming up. Prints {@code PORT n}; when its standard input ends (the test closed
 * every connection), waits until the server holds nothing but its listening socket and the acceptor
 * fiber, prints {@code IDLE} and exits 0, or prints {@code LEAK} and exits 1.
 */
public final class FdLimitedEchoServer {
    private FdLimitedEchoServer() {
    }

    /**
     * Entry point.
     *
     * @param args the headroom in descriptors
     * @throws Exception on any failure (the test then sees the child exit early)
     */
    public static void main(String[] args) throws Exception {
        int headroom = Integer.parseInt(args[0]);
        // Without descriptors to spare, even loading a class fails: load every one first.
        int classes = ClassPreloader.loadAll(System.getProperty("java.class.path"));
        // The limit comes before the server: io_uring's multishot accept takes RLIMIT_NOFILE once, when
        // it is armed, so a limit lowered after the first accept would not apply to it.
        long limit = limitLeaving(headroom);
        try (Arena arena = Arena.ofConfined()) { // owner: this block; freed at its end
            MemorySegment rl = RLimit.allocate(arena);
            check(LibC.getrlimit(LinuxConstants.RLIMIT_NOFILE, rl), "getrlimit");
            RLimit.set(rl, limit, RLimit.maximum(rl));
            check(LibC.setrlimit(LinuxConstants.RLIMIT_NOFILE, rl), "setrlimit");
        }
        FiberScheduler scheduler = FiberScheduler.builder().name("limited").workers(1).shutdownTimeout(Duration.ofSeconds(2)).build();
        EchoServer server = new EchoServer(scheduler, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = server.address().getPort();
        try (Socket warm = new Socket(InetAddress.getLoopbackAddress(), port)) { // runs the serving path once
            warm.getOutputStream().write(1);
            warm.getInputStream().read();
        }
        System.out.println("PORT " + port + " LIMIT " + limit + " PRELOADED " + classes);
        while (System.in.read() >= 0) {
            // the test talks by closing our input
        }
        Backend backend = Backend.current();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(backend.openDescriptors() == 1 && scheduler.liveFibers() == 1) && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            Thread.yield();
        }
        boolean idle = backend.openDescriptors() == 1 && scheduler.liveFibers() == 1;
        System.out.println((idle ? "IDLE" : "LEAK") + " backend=" + backend.name() + " sockets=" + backend.openDescriptors()
                + " fibers=" + scheduler.liveFibers() + " connections=" + server.connections()
                + " violations=" + scheduler.invariantViolations());
        server.close();
        scheduler.close();
        System.exit(idle && scheduler.invariantViolations() == 0 ? 0 : 1);
    }

    /**
     * The RLIMIT_NOFILE value that leaves {@code free} descriptors: the limit bounds descriptor
     * numbers (not counts), and a new descriptor takes the lowest free number.
     */
    private static long limitLeaving(int free) {
        java.util.Set<Integer> open = ProcessFds.snapshot().keySet(); // includes the listing's own, closed since
        int limit = 0;
        for (int left = free; left > 0; limit++) {
            if (!open.contains(limit)) {
                left--;
            }
        }
        return limit;
    }

    private static void check(int result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + " failed: " + Errno.name(-result));
        }
    }
}
