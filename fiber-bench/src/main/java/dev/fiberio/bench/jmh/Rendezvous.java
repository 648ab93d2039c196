package dev.fiberio.bench.jmh;

import dev.fiberio.core.sync.FiberChannel;
import java.util.concurrent.SynchronousQueue;

/**
 * A rendezvous hand-over (the putter waits until a taker has the item) with one contender's
 * primitive: a capacity-0 fiberio {@link FiberChannel}, or a JDK {@link SynchronousQueue}. Two of them,
 * one each way, make the channel ping-pong.
 */
interface Rendezvous {
    /** The ball that goes back and forth; checked by identity on each return. */
    Object BALL = new Object();

    /** Hands {@code item} over, waiting for the taker. */
    void put(Object item);

    /** Takes the next item, waiting for a putter. */
    Object take();

    /** fiberio: {@code new FiberChannel<>(0)}. */
    static Rendezvous channel() {
        FiberChannel<Object> c = new FiberChannel<>(0);
        return new Rendezvous() {
            @Override
            public void put(Object item) {
                c.send(item);
            }

            @Override
            public Object take() {
                return c.receive();
            }
        };
    }

    /** JDK: {@code new SynchronousQueue<>()}. */
    static Rendezvous synchronousQueue() {
        SynchronousQueue<Object> q = new SynchronousQueue<>();
        return new Rendezvous() {
            @Override
            public void put(Object item) {
                try {
                    q.put(item);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted in put", e);
                }
            }

            @Override
            public Object take() {
                try {
                    return q.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted in take", e);
                }
            }
        };
    }

    /** The server side: {@code rounds} times, takes from {@code in} and puts it back on {@code out}. */
    static void serve(Rendezvous in, Rendezvous out, int rounds) {
        for (int i = 0; i < rounds; i++) {
            out.put(in.take());
        }
    }

    /** The driving side: {@code rounds} round trips; returns how many came back with the ball. */
    static long drive(Rendezvous out, Rendezvous in, int rounds) {
        long done = 0;
        for (int i = 0; i < rounds; i++) {
            out.put(BALL);
            if (in.take() == BALL) {
                done++;
            }
        }
        return done;
    }
}
