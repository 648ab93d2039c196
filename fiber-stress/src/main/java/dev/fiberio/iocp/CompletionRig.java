package dev.fiberio.iocp;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.ManualDriving;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.iocp.win32.Win32Constants;
import dev.fiberio.nativeio.TokenTable;
import dev.fiberio.nativeio.completion.CompletionWait;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One overlapped operation in flight and the fiber waiting for it, for the IOCP jcstress tests: the
 * dispatch path of the IOCP backend without a kernel. The operation record's target is registered in a
 * {@link TokenTable} under a token, started (the kernel owns it, as after WSARecv returned
 * "pending"), and the fiber waits in {@link CompletionWait#await}, the same code a socket's read
 * runs. A poller actor calls {@link #dispatch}, which is what a poller thread does with a dequeued
 * completion entry: {@link CompletionDispatcher#dispatch}.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code runQueue} is the manual scheduler's sink; any thread appends (the spawn in the
 *       constructor, the post-switch hook on the worker actor, a poller actor resuming the fiber),
 *       only the thread playing the worker polls.</li>
 *   <li>Every submission after the first is a resume: counted in {@code hookResumes} when it comes
 *       from the thread running the fiber (the hook runs there, right after the switch), else in
 *       {@code pollerResumes}. {@code runningOn} (plain) is only compared with the submitting
 *       thread, so a stale value cannot mislead.</li>
 *   <li>A resume the fiber refuses (twice, or before its hook) throws {@link IllegalStateException}
 *       and is counted by {@link FiberScheduler#invariantViolations()}; {@link #dispatch} catches it
 *       and counts it as early when the fiber was still running.</li>
 *   <li>{@code result} (plain) is written by the fiber (worker actor or arbiter) and read by the
 *       arbiter, which jcstress runs after all actors.</li>
 * </ul>
 */
final class CompletionRig {
    /** {@link #result()} while the fiber has not returned from its wait. */
    static final int NOT_RETURNED = -1;

    private final Queue<Fiber> runQueue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger hookResumes = new AtomicInteger();
    private final AtomicInteger pollerResumes = new AtomicInteger();
    private final AtomicInteger earlyRefusals = new AtomicInteger();
    private final WaitSlot slot = new WaitSlot();
    private final OverlappedRecord record = new OverlappedRecord(16);
    private final TokenTable<CompletionTarget> channels = new TokenTable<>();
    private final CompletionDispatcher dispatcher = new CompletionDispatcher(channels);
    private final long token;
    private final FiberScheduler scheduler;
    private final Fiber fiber;
    private Thread runningOn;
    private int result = NOT_RETURNED;

    CompletionRig() {
        record.attach(slot, 0, released -> { });
        token = channels.add(new CompletionTarget() {
            @Override
            public OverlappedRecord recordAt(long overlappedAddress) {
                return overlappedAddress == record.overlappedAddress() ? record : null;
            }

            @Override
            public int errorOf(OverlappedRecord r, int ntStatus) {
                return ntStatus;
            }
        });
        record.acquire();
        record.started(); // the overlapped call returned "pending"
        CompletionWait.Owner owner = new CompletionWait.Owner() {
            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void cancel(OperationRecord r) {
            }

            @Override
            public IOException closedException() {
                return SocketErrors.socketClosed();
            }
        };
        scheduler = ManualDriving.scheduler("iocp-jcstress", this::submitted);
        fiber = scheduler.spawn(() -> {
            try {
                result = CompletionWait.await(record, owner, Deadlines.NO_DEADLINE, Win32Constants.WSA_OPERATION_ABORTED,
                        SocketErrors::readTimedOut).value();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void submitted(Fiber f) {
        if (submissions.getAndIncrement() > 0) {
            (Thread.currentThread() == runningOn ? hookResumes : pollerResumes).incrementAndGet();
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
     * A poller thread's part: dispatches a completion entry for the operation (status 0, {@code bytes}).
     *
     * @param bytes the entry's byte count
     * @return whether the entry completed the operation (false: dropped as stale)
     */
    boolean dispatch(int bytes) {
        try {
            return dispatcher.dispatch(token, record.overlappedAddress(), 0, bytes);
        } catch (IllegalStateException refused) {
            if (fiber.state() == FiberState.RUNNING || fiber.state() == FiberState.RUNNABLE) {
                earlyRefusals.incrementAndGet();
            }
            return true;
        }
    }

    /** What the fiber's wait returned (the completion's byte count), or {@link #NOT_RETURNED}. */
    int result() {
        return result;
    }

    /** Resumes after the start, refused ones included. */
    int resumes() {
        return hookResumes.get() + pollerResumes.get() + (int) scheduler.invariantViolations();
    }

    /** Who resumed the fiber: 0 nobody (it never suspended), 1 its post-switch hook, 2 a poller, 3 both. */
    int resumer() {
        return (hookResumes.get() > 0 ? 1 : 0) | (pollerResumes.get() > 0 ? 2 : 0);
    }

    /** Resumes refused because the fiber had not switched out yet. */
    int earlyRefusals() {
        return earlyRefusals.get();
    }
}
