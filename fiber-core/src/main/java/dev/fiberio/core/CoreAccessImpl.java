package dev.fiberio.core;

import dev.fiberio.core.spi.CoreAccess;
import dev.fiberio.core.spi.Poller;
import dev.fiberio.core.spi.SuspendHook;
import dev.fiberio.core.spi.TimerHandle;
import dev.fiberio.core.spi.WaitSlot;
import java.util.function.Function;
import java.util.function.Supplier;

/** fiber-core's side of the SPI bridge ({@link CoreAccess}): forwards to package-private machinery. */
final class CoreAccessImpl extends CoreAccess {
    @Override
    protected boolean trySuspend(Fiber fiber, SuspendHook hook) {
        return fiber.trySuspend(hook);
    }

    @Override
    protected String lastPinReason(Fiber fiber) {
        return fiber.lastPinReason();
    }

    @Override
    protected Thread carrierThread(Fiber fiber) {
        return fiber.carrierThread();
    }

    @Override
    protected void setWaitingOn(Fiber fiber, WaitSlot slot) {
        fiber.setWaitingOn(slot);
    }

    @Override
    protected void resume(Fiber fiber) {
        fiber.resume();
    }

    @Override
    protected Runnable pinnedWaitBegins(Fiber fiber) {
        return fiber.scheduler().pinnedWaitBegins(fiber);
    }

    @Override
    protected TimerHandle armTimer(Fiber fiber, long deadline, WaitSlot slot, long episode) {
        return fiber.scheduler().armTimer(deadline, slot, episode);
    }

    @Override
    protected long hookClock() {
        // A hook runs on the carrier after the switch, outside any fiber: Thread.currentThread() is reliable.
        return Thread.currentThread() instanceof WorkerThread wt ? wt.worker.runStartNanos() : System.nanoTime();
    }

    @Override
    protected <T> T carrierLocal(int index, Supplier<? extends T> initial) {
        Fiber f = Fiber.current();
        Worker w;
        if (f != null) {
            w = f.lastCarrier();
        } else {
            // Not in a fiber: this frame never migrates, so Thread.currentThread() is reliable here.
            w = Thread.currentThread() instanceof WorkerThread wt ? wt.worker : null;
        }
        return w != null ? w.carrierLocal(index, initial) : null;
    }

    @Override
    protected <T extends AutoCloseable> T service(FiberScheduler scheduler, Object key, Function<FiberScheduler, T> factory) {
        return scheduler.service(key, factory);
    }

    @Override
    protected void attachPoller(FiberScheduler scheduler, Poller poller, int worker) {
        if (worker < 0) {
            scheduler.attachPoller(poller);
        } else {
            scheduler.attachPoller(poller, worker);
        }
    }

    @Override
    protected int currentWorkerIndex() {
        return FiberScheduler.currentWorkerIndex();
    }
}
