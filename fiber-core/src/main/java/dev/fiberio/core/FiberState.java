package dev.fiberio.core;

/** The life-cycle state of a {@link Fiber}, as seen by {@link Fiber#state()}. */
public enum FiberState {
    /** Created, not yet scheduled. */
    NEW,
    /** In a run queue, waiting for a worker. */
    RUNNABLE,
    /** Running on a worker thread. */
    RUNNING,
    /** Switched out, waiting for a wake-up (I/O, timer, lock, ...). */
    SUSPENDED,
    /** Finished, normally or with an exception. */
    TERMINATED
}
