package dev.fiberio.core;

/**
 * The platform thread of a {@link Worker}. Its type lets {@link Fiber#current()} and the scheduler
 * find the running worker with one {@code instanceof} instead of a thread-local lookup.
 */
final class WorkerThread extends Thread {
    final Worker worker;

    WorkerThread(Worker worker, String name) {
        super(null, worker, name, 0, false);
        this.worker = worker;
    }
}
