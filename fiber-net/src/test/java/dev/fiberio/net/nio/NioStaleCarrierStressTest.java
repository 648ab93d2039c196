package dev.fiberio.net.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.spi.Deadlines;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.AlreadyBoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The NIO backend under load long enough for C2 to compile its read path: fibers on two workers read
 * one byte at a time from sockets a platform thread feeds one byte per round, so nearly every read
 * finds nothing, waits, and resumes on whichever worker is free.
 *
 * <p>What it guards against: the JDK's {@code SocketChannelImpl.read} locks a {@code ReentrantLock}
 * owned by {@code Thread.currentThread()}. Inlined into the backend's retry loop, which also spans the
 * readiness wait, C2 reuses the carrier read before the wait after the fiber moved to another worker;
 * when the lock's fast and slow paths then disagree on the thread, its unlock throws
 * {@link IllegalMonitorStateException} and the channel's lock stays held. Other threads take that
 * lock briefly in real life (close, the poller's release of a closed channel); here a contender thread
 * takes it as often as it can through a harmless {@code bind} of the bound channel (it locks, then
 * throws {@link AlreadyBoundException}), which widens the window. Before the channel calls ran out of
 * line ({@link OutOfLine}) this failed in every run on a two-core machine within seconds.
 *
 * <p>The outcome is decided by what the fibers saw: each must read every byte in order and end at
 * end of stream, and none may fail. The bound on the wait only turns a hang (a lock left held) into a
 * failure.
 */
class NioStaleCarrierStressTest {
    private static final int SOCKETS = 16;
    /** Bytes per socket: about 5 s on a two-core machine; scale with -Dfiberio.test.nioStressBytes. */
    private static final int BYTES = Integer.getInteger("fiberio.test.nioStressBytes", 50_000);
    private static final long HANG_BOUND_SECONDS = 120;
    private static final long CLOSE_BOUND_SECONDS = 20;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void readsOnMigratingFibersNeverTripTheChannelsLock() throws Exception {
        NioNetProvider nio = new NioNetProvider();
        FiberScheduler scheduler = FiberScheduler.builder().workers(2).name("nio-stress").shutdownTimeout(Duration.ofSeconds(5)).build();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> readers = new ArrayList<>();
        List<NioSocketHandle> handles = new ArrayList<>();
        List<Socket> peers = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread contender = null;
        Thread feeder = null;
        try (ServerSocket listener = new ServerSocket(0, SOCKETS, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            for (int i = 0; i < SOCKETS; i++) {
                NioSocketHandle h = (NioSocketHandle) TestSchedulers.inFiber(scheduler, () -> {
                    NioSocketHandle s = (NioSocketHandle) nio.openSocket(StandardProtocolFamily.INET);
                    s.connect(address, Deadlines.NO_DEADLINE);
                    return s;
                });
                handles.add(h);
                Socket peer = listener.accept();
                peer.setTcpNoDelay(true);
                peers.add(peer);
                readers.add(spawn(scheduler, failures, () -> readAll(h)));
            }
            contender = Thread.ofPlatform().name("channel-lock-contender").start(() -> contend(handles, stop));
            feeder = Thread.ofPlatform().name("feeder").start(() -> feed(peers, failures));
            try {
                CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(HANG_BOUND_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("the readers did not finish within " + HANG_BOUND_SECONDS + " s (a channel lock left held?); failures: "
                        + failures + "\n" + scheduler.dump());
            } catch (ExecutionException e) {
                // recorded in failures
            }
        } finally {
            stop.set(true);
            join(contender);
            for (Socket p : peers) {
                p.close();
            }
            join(feeder);
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError(failures.size() + " fibers failed; the first: " + failures.peek(), failures.peek());
                try {
                    closeBounded(handles, scheduler);
                } catch (Throwable cleanup) {
                    error.addSuppressed(cleanup);
                }
                throw error;
            }
            closeBounded(handles, scheduler);
        }
        assertEquals(0, scheduler.invariantViolations(), "invariant violations");
    }

    /** Reads one byte at a time until end of stream; each byte must be the next of the sequence. */
    private static void readAll(NioSocketHandle h) throws IOException {
        MemorySegment one = MemorySegment.ofArray(new byte[1]);
        long n = 0;
        while (h.read(one, Deadlines.NO_DEADLINE) == 1) {
            if (one.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) != (byte) n) {
                throw new AssertionError("byte " + n + " was " + one.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            }
            n++;
        }
        if (n != BYTES) {
            throw new AssertionError("end of stream after " + n + " of " + BYTES + " bytes");
        }
    }

    /** Writes byte k to every peer, for k up to {@link #BYTES}, then shuts their output down. */
    private static void feed(List<Socket> peers, ConcurrentLinkedQueue<Throwable> failures) {
        try {
            List<OutputStream> outs = new ArrayList<>();
            for (Socket p : peers) {
                outs.add(p.getOutputStream());
            }
            for (int k = 0; k < BYTES; k++) {
                for (OutputStream out : outs) {
                    out.write(k);
                }
            }
            for (Socket p : peers) {
                p.shutdownOutput();
            }
        } catch (IOException e) {
            failures.add(e);
        }
    }

    /** Takes each channel's read lock as often as possible (bind locks it, then finds the channel bound). */
    private static void contend(List<NioSocketHandle> handles, AtomicBoolean stop) {
        while (!stop.get()) {
            for (NioSocketHandle h : handles) {
                try {
                    h.channel.bind(null);
                } catch (AlreadyBoundException | IOException expected) {
                    // the lock was taken and released; that is all this thread is for
                }
            }
        }
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static CompletableFuture<Void> spawn(FiberScheduler s, ConcurrentLinkedQueue<Throwable> failures, Body body) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        s.spawn(() -> {
            try {
                body.run();
                result.complete(null);
            } catch (Throwable t) {
                failures.add(t);
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /**
     * Closes the handles and the scheduler on a daemon thread: after the failure this test looks for,
     * a channel's lock stays held and its close would block forever.
     */
    private static void closeBounded(List<NioSocketHandle> handles, FiberScheduler scheduler) throws Exception {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("nio-stress-cleanup").start(() -> {
            try {
                for (NioSocketHandle h : handles) {
                    h.close();
                }
                scheduler.close();
                closed.complete(null);
            } catch (Throwable t) {
                closed.completeExceptionally(t);
            }
        });
        try {
            closed.get(CLOSE_BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail("closing the sockets and the scheduler hung (a channel lock left held)");
        }
    }

    private static void join(Thread t) throws InterruptedException {
        if (t != null) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
