package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * More runnable fibers than a worker's run queue holds: one worker must still serve them in turn, as a
 * server under overload must serve every connection, not a favoured 4,096 of them. Each fiber records its
 * runs and yields; on one worker a run queue that keeps arrival order gives every fiber its turn once per
 * round of all the fibers.
 */
class RunQueueFairnessTest {
    private static final int FIBERS = Worker.QUEUE_CAPACITY + 1_000;
    private static final int ROUNDS = 4;
    private FiberScheduler s;

    @BeforeEach
    void setUp() {
        s = TestSchedulers.create(1);
    }

    @AfterEach
    void tearDown() {
        TestSchedulers.closeChecked(s);
    }

    @Test
    void fibersBeyondTheRunQueueCapacityTakeTurnsWithTheOthers() throws Exception {
        int[] log = new int[FIBERS * ROUNDS];
        AtomicInteger next = new AtomicInteger();
        Fiber[] fibers = new Fiber[FIBERS];
        // Spawned by a fiber on the one worker, without suspending: all are queued before any runs.
        TestSchedulers.inFiber(s, () -> {
            for (int i = 0; i < FIBERS; i++) {
                int id = i;
                fibers[i] = s.spawn(() -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        log[next.getAndIncrement()] = id;
                        Fiber.yield();
                    }
                });
            }
            return null;
        });
        for (Fiber f : fibers) {
            f.join();
        }
        assertEquals(FIBERS * ROUNDS, next.get());

        int[] last = new int[FIBERS];
        Arrays.fill(last, -1);
        int worstFirst = 0;
        int worstGap = 0;
        for (int at = 0; at < log.length; at++) {
            int id = log[at];
            if (last[id] < 0) {
                worstFirst = Math.max(worstFirst, at);
            } else {
                worstGap = Math.max(worstGap, at - last[id]);
            }
            last[id] = at;
        }
        // Taking turns: every fiber's first run is within the first round of all of them, and between two
        // runs of one fiber each other fiber runs about once. Half a round more allows for the order in
        // which a queue's overflow is taken back, not for a fiber that waits many rounds.
        int bound = FIBERS + FIBERS / 2;
        assertTrue(worstFirst < bound, "a fiber first ran after " + worstFirst + " runs of others (" + FIBERS + " fibers)");
        assertTrue(worstGap < bound, "a fiber waited " + worstGap + " runs of others between two of its own (" + FIBERS + " fibers)");
    }
}
