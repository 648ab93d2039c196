package dev.fiberio.bench.jmh;

import dev.fiberio.core.Fiber;
import java.util.concurrent.locks.LockSupport;

/**
 * Two parties taking turns through park/unpark: ping hands the turn to pong and parks until it comes
 * back, {@code rounds} times. The turn flag is the authoritative condition (park may return
 * spuriously); the ping party's handle is published before the first hand-over, which orders it
 * before pong's first read of it.
 *
 * @param <T> the handle that {@link Parking#unpark} takes: a fiber or a thread
 */
final class Rally<T> {
    /** The park/unpark primitives of one contender. */
    interface Parking<T> {
        /** The calling party's handle. */
        T self();

        /** Parks the calling party (may return spuriously). */
        void park();

        /** Makes {@code party}'s park return, now or at its next park. */
        void unpark(T party);
    }

    /** fiberio: {@link Fiber#park()} and {@link Fiber#unpark()}. */
    static final Parking<Fiber> FIBERS = new Parking<>() {
        @Override
        public Fiber self() {
            return Fiber.current();
        }

        @Override
        public void park() {
            Fiber.park();
        }

        @Override
        public void unpark(Fiber party) {
            party.unpark();
        }
    };

    /** Platform and virtual threads: {@link LockSupport}. */
    static final Parking<Thread> THREADS = new Parking<>() {
        @Override
        public Thread self() {
            return Thread.currentThread();
        }

        @Override
        public void park() {
            LockSupport.park(this);
        }

        @Override
        public void unpark(Thread party) {
            LockSupport.unpark(party);
        }
    };

    private final Parking<T> parking;
    private volatile boolean pongsTurn;
    private volatile T pingParty;
    private long completed; // written by pong only; read after joining it

    Rally(Parking<T> parking) {
        this.parking = parking;
    }

    /** Ping's side: runs {@code rounds} round trips with {@code pong}. */
    void ping(int rounds, T pong) {
        pingParty = parking.self();
        for (int i = 0; i < rounds; i++) {
            pongsTurn = true;
            parking.unpark(pong);
            while (pongsTurn) {
                parking.park();
            }
        }
    }

    /** Pong's side: answers {@code rounds} hand-overs. */
    void pong(int rounds) {
        for (int i = 0; i < rounds; i++) {
            while (!pongsTurn) {
                parking.park();
            }
            pongsTurn = false;
            completed++;
            parking.unpark(pingParty);
        }
    }

    /** Round trips pong completed; call only after joining pong. */
    long completed() {
        return completed;
    }
}
