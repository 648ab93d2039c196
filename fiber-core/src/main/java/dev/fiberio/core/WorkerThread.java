package dev.fiberio.core;

/**
 * The platform thread of a {@link Worker}. Its type lets code that runs on the worker outside any
 * fiber (post-switch hooks, the scheduler) find the worker with one {@code instanceof}.
 */
final class WorkerThread extends Thread {
    final Worker worker;

    WorkerThread(Worker worker, String name) {
        super(null, worker, name, 0, false);
        this.worker = worker;
    }
}
