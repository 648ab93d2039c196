package dev.fiberio.nativeio;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.ManualDriving;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.nativeio.completion.CompletionWait;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.SocketException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One operation in flight on the shared completion core ({@link OperationRecord}, {@link CompletionWait},
 * fiber-native) and the fiber waiting for it, without a kernel: the record is registered in a
 * {@link TokenTable} and started (KERNEL, as after an SQE was queued or WSARecv returned "pending"),
 * the fiber waits in {@link CompletionWait#await}, the code io_uring's and IOCP's reads run, and a
 * reaper actor calls {@link #reap}, which is what a ring's or port's reaper does with a completion:
 * look the token up, then {@link OperationRecord#complete}.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code runQueue} is the manual scheduler's sink; any thread appends, only the thread playing
 *       the worker (an actor, or the arbiter afterwards) polls.</li>
 *   <li>Every submission after the first is a resume: counted in {@code hookResumes} when it comes from
 *       the thread running the fiber (its post-switch hook), else in {@code otherResumes}. Resumes the
 *       fiber refuses (twice, or before its hook) are counted by the scheduler's invariant check.</li>
 *   <li>The owner is open until {@link #close} (volatile {@code open}); its cancel only counts.</li>
 *   <li>The release action counts releases and whether one happened while the kernel still owned the
 *       memory (KERNEL set), which must never be.</li>
 *   <li>{@code outcome} (plain) is written by the fiber and read by the arbiter, which jcstress runs
 *       after all actors: the completion's value, or {@link #CANCELLED}, {@link #CLOSED}.</li>
 * </ul>
 */
final class CoreRig {
    static final int NOT_RETURNED = -1;
    static final int CANCELLED = -2;
    static final int CLOSED = -3;

    private final Queue<Fiber> runQueue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger hookResumes = new AtomicInteger();
    private final AtomicInteger otherResumes = new AtomicInteger();
    private final AtomicInteger earlyRefusals = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicInteger releasedWhileKernel = new AtomicInteger();
    private final AtomicInteger cancels = new AtomicInteger();
    private final OperationRecord record = new OperationRecord(Arena.ofAuto().allocate(16));
    private final TokenTable<OperationRecord> records = new TokenTable<>();
    private final long token;
    private final FiberScheduler scheduler;
    private final Fiber fiber;
    private volatile boolean open = true;
    private Thread runningOn;
    private int outcome = NOT_RETURNED;

    CoreRig() {
        token = records.add(record);
        record.attach(new WaitSlot(), token, r -> {
            if (r.pending()) {
                releasedWhileKernel.incrementAndGet();
            }
            releases.incrementAndGet();
            records.remove(r.token());
        });
        record.acquire();
        record.started();
        CompletionWait.Owner owner = new CompletionWait.Owner() {
            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void cancel(OperationRecord r) {
                cancels.incrementAndGet();
            }

            @Override
            public IOException closedException() {
                return SocketErrors.socketClosed();
            }
        };
        scheduler = ManualDriving.scheduler("core-jcstress", this::submitted);
        fiber = scheduler.spawn(() -> {
            try {
                outcome = CompletionWait.await(record, owner, Deadlines.NO_DEADLINE, 125, SocketErrors::readTimedOut).value();
            } catch (FiberCancelledException e) {
                outcome = CANCELLED;
            } catch (SocketException e) {
                outcome = CLOSED;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                record.release(); // the caller's USER, as a socket's read leaves it
            }
        });
    }

    private void submitted(Fiber f) {
        if (submissions.getAndIncrement() > 0) {
            (Thread.currentThread() == runningOn ? hookResumes : otherResumes).incrementAndGet();
        }
        runQueue.add(f);
    }

    /** The worker: runs the next submitted fiber on this thread until it suspends or ends, then its hook. */
    void runNext() {
        Fiber f = runQueue.poll();
        if (f == null) {
            throw new IllegalStateException("nothing was submitted to run");
        }
        runningOn = Thread.currentThread();
        try {
            ManualDriving.runOnCallingThread(f);
        } finally {
            runningOn = null;
        }
    }

    /** Runs the fiber on this thread if it was resumed by now (the worker that picks it up), else nothing. */
    void runIfResumed() {
        if (!runQueue.isEmpty()) {
            runNext();
        }
    }

    /** Runs the fiber into its wait now (from the state's constructor: the operation is then in flight and waited for). */
    CoreRig suspended() {
        runNext();
        return this;
    }

    /** The arbiter: runs every fiber that was resumed, until none is left. */
    void runAll() {
        while (!runQueue.isEmpty()) {
            try {
                runNext();
            } catch (IllegalStateException refusedToRun) {
                // counted by the scheduler's invariant check
            }
        }
    }

    /**
     * A reaper's part: one completion carrying {@code token} and {@code value}.
     *
     * @return whether it completed the operation (false: dropped as stale)
     */
    boolean reap(long completionToken, int value) {
        OperationRecord r = records.lookup(completionToken);
        if (r == null) {
            return false;
        }
        try {
            return r.complete(0, value, 0);
        } catch (IllegalStateException refused) {
            if (fiber.state() == FiberState.RUNNING || fiber.state() == FiberState.RUNNABLE) {
                earlyRefusals.incrementAndGet();
            }
            return true;
        }
    }

    /** The record's token (the user_data or completion key a completion carries). */
    long token() {
        return token;
    }

    /** Cancels the waiting fiber ({@link Fiber#cancel()}, as a deadline of the application or a shutdown). */
    void cancelFiber() {
        fiber.cancel();
    }

    /** Closes the socket: the owner reads closed, the record is closed and its waiter signalled (what UringChannel.close does). */
    void close() {
        open = false;
        record.close();
        record.slot().signal();
    }

    int outcome() {
        return outcome;
    }

    /** Resumes after the start, refused ones included. */
    int resumes() {
        return hookResumes.get() + otherResumes.get() + (int) scheduler.invariantViolations();
    }

    int earlyRefusals() {
        return earlyRefusals.get();
    }

    int releases() {
        return releases.get();
    }

    int releasedWhileKernel() {
        return releasedWhileKernel.get();
    }

    int cancels() {
        return cancels.get();
    }

    OperationRecord record() {
        return record;
    }
}
